"""A hostile "Google" on 127.0.0.1: raw sockets, so it can answer anything, anyhow, or never.

``FakeGoogle(behave)`` calls ``behave(request, sock)`` for each request read (``request`` holds the
method, path, headers and body); the helpers below build the usual behaviours.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from dataclasses import dataclass
from typing import Self


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def raw(self) -> str:
        """The request as text, as a proxy that echoes it would show it."""
        head = "\r\n".join(f"{k}: {v}" for k, v in self.headers.items())
        return f"{self.method} {self.path}\r\n{head}\r\n\r\n{self.body.decode('utf-8', 'replace')}"


class FakeGoogle:
    """Serves until closed; use as a context manager. ``url`` is its base URL."""

    def __init__(self, behave) -> None:
        self.behave = behave
        self.requests: list[Request] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):  # wakes the accept loop, which then sees the stop
            socket.create_connection(self._server.getsockname(), timeout=5).close()
        self._thread.join(5)
        for sock in self._open:
            _close(sock)
        self._server.close()

    def _serve(self) -> None:
        while True:
            try:
                sock, _ = self._server.accept()
            except OSError:
                return
            if self._stop.is_set():
                _close(sock)
                return
            self._open.append(sock)
            threading.Thread(target=self._connection, args=(sock,), daemon=True).start()

    def _connection(self, sock: socket.socket) -> None:
        try:
            while not self._stop.is_set():
                request = _read_request(sock)
                if request is None:
                    return
                self.requests.append(request)
                if self.behave(request, sock) == "close":
                    return
        except OSError:
            pass
        finally:
            _close(sock)


def _read_request(sock: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return Request(method, path, headers, body)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.close()


def send(
    sock: socket.socket, status: int, body: bytes | str | dict, headers: dict[str, str] | None = None
) -> None:
    """One HTTP/1.1 answer with a Content-Length."""
    if isinstance(body, dict):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    head = {
        "content-type": "application/json; charset=UTF-8",
        "content-length": str(len(body)),
        **(headers or {}),
    }
    sock.sendall(
        f"HTTP/1.1 {status} X\r\n".encode()
        + "".join(f"{k}: {v}\r\n" for k, v in head.items()).encode()
        + b"\r\n"
        + body
    )


def answering(status: int, body) -> callable:
    """Every request gets the same answer (*body* may be a function of the request)."""

    def behave(request: Request, sock: socket.socket) -> None:
        send(sock, status, body(request) if callable(body) else body)

    return behave


def google_error(code: int, status: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, "status": status, **extra}}
