"""The emulator's outer guard: request-size limits as Google's front end has them, no traceback for
any request, and logging that cannot stall serving.

- A body over :data:`MAX_PAYLOAD` gets Google's 400 "Request payload size exceeds the limit"; one
  over :data:`MAX_BODY` gets the front end's HTML 413 page, decided from Content-Length before any
  byte of it is read (a chunked body is counted as it comes), and the connection is closed.
- An error in a handler becomes Google's 500 INTERNAL and one log line, never a traceback.
- Log records go through a bounded queue to a thread that writes them: a stderr nobody reads
  fills that queue, and records are dropped, instead of blocking the event loop.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import queue
import select

from starlette.requests import ClientDisconnect

from .errors import HEADERS, GoogleError

MAX_PAYLOAD = 20 * 1024 * 1024  # the Gemini API's and Vertex AI's request limit (20 MiB)
MAX_BODY = 64 * 1024 * 1024  # beyond this the front end refuses the request outright
LOG_QUEUE = 1000
TOO_LARGE_PAGE = b"""<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <title>Error 413 (Request Entity Too Large)!!1</title>
  <p><b>413.</b> <ins>That\xe2\x80\x99s an error.</ins>
  <p>Your client issued a request that was too large.  <ins>That\xe2\x80\x99s all we know.</ins>
"""
log = logging.getLogger("gemini_doctor.emulator")


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class Guard:
    """ASGI middleware, outermost in the app: size limits, and every error turned into Google's answer."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def send_noting(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        received = 0

        async def receive_counting():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_PAYLOAD:
                raise _TooLarge(received)
            return message

        try:
            declared = _content_length(scope)
            if declared is not None and declared > MAX_PAYLOAD:
                raise _TooLarge(declared)
            await self.app(scope, receive_counting, send_noting)
        except ClientDisconnect:
            raise
        except _TooLarge as exc:
            if not started:
                await _too_large(exc.size, send)
        except Exception as exc:  # noqa: BLE001 - the point of the guard: no request ends in a traceback
            log.warning(
                "emulator: %s on %s %s: %s", type(exc).__name__, scope.get("method"), scope.get("path"), exc
            )
            if not started:
                await GoogleError("INTERNAL", "Internal error encountered.").response()(scope, receive, send)


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def _too_large(size: int, send) -> None:
    """Google's answer to a body over the limit; the connection is closed, the rest of the body unread."""
    if size > MAX_BODY:
        status, body, kind = 413, TOO_LARGE_PAGE, b"text/html; charset=UTF-8"
    else:
        response = GoogleError(
            "INVALID_ARGUMENT", f"Request payload size exceeds the limit: {MAX_PAYLOAD} bytes."
        ).response()
        status, body, kind = 400, response.body, b"application/json; charset=UTF-8"
    headers = [
        (b"content-type", kind),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    headers += [(name.lower().encode(), value.encode()) for name, value in HEADERS.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _Dropping(logging.handlers.QueueHandler):
    """Queues a record for the writer thread; drops it when the queue is full (nobody reads the log)."""

    def enqueue(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(queue.Full):
            self.queue.put_nowait(record)


class _Writer(logging.Handler):
    """Writes records straight to a file descriptor, waiting a moment at most for it to take them:
    a reader that never reads costs lines, never a stalled thread or a process that cannot exit."""

    def __init__(self, fd: int, formatter: logging.Formatter | None) -> None:
        super().__init__()
        self.fd = fd
        self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        data = (self.format(record) + "\n").encode("utf-8", "replace")
        try:
            while data:
                if not select.select([], [self.fd], [], 0.2)[1]:
                    return  # nobody reads: drop the rest
                data = data[os.write(self.fd, data[:512]) :]  # at most a pipe's atomic write
        except (OSError, ValueError):
            pass


_listeners: list[logging.handlers.QueueListener] = []


def nonblocking_logging() -> None:
    """For a process the emulator owns (the CLI), once uvicorn has set up its logging: records go
    through a bounded queue to a thread that writes them (and the guard's lines go to stderr too)."""
    ours = logging.getLogger(log.name)
    if not ours.handlers:
        ours.addHandler(logging.StreamHandler())
        ours.propagate = False
    for name in ("uvicorn", "uvicorn.access", log.name):
        logger = logging.getLogger(name)
        writers = [
            _Writer(h.stream.fileno(), h.formatter)
            for h in logger.handlers
            if isinstance(h, logging.StreamHandler)
        ]
        if writers:
            records: queue.Queue = queue.Queue(LOG_QUEUE)
            listener = logging.handlers.QueueListener(records, *writers)
            listener.start()
            _listeners.append(listener)
            logger.handlers = [_Dropping(records)]
