"""Serve the emulator with uvicorn: in the foreground (CLI) or in-process (tests, demo).

In-process servers share one event loop on one daemon thread, started once per process, so a
server starts and stops in milliseconds: it waits on events, never polls or sleeps. Each stop
closes its port and idle connections at once, lets answers in flight go out, and cancels work
whose client has left. Connections are held to deadlines (a request's head must arrive in
HEAD_TIMEOUT, its body must keep coming) and a client that disconnects early is not an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import resource
import signal
import socket
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Self

import uvicorn
from starlette.requests import ClientDisconnect
from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import HELD_CALLS, create_app
from .credentials import write_credentials
from .guard import nonblocking_logging
from .oauth import OAuthState
from .world import World

HEAD_TIMEOUT = 10.0  # seconds for a request line and headers, from connecting or from the last answer
BODY_TIMEOUT = 30.0  # seconds the body may pause between two pieces
GRACE = 1.0  # seconds answers in flight get when a server stops
START_TIMEOUT = 10.0


class BackgroundServer:
    """The emulator on a free loopback port, served from the process's shared event loop; use as a
    context manager (or :meth:`start` / :meth:`stop`)."""

    def __init__(
        self,
        world: World,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        head_timeout: float = HEAD_TIMEOUT,
        body_timeout: float = BODY_TIMEOUT,
    ) -> None:
        self.world, self.oauth = world, OAuthState()
        self.app = create_app(world, self.oauth)
        self._socket = _bind(host, port)
        self.host, self.port = self._socket.getsockname()[:2]
        self._server = _Server(_config(self.app, head_timeout, body_timeout))
        self._serving: Future | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def write_credentials(self, directory: Path) -> dict[str, Path]:
        return write_credentials(self.world, self.oauth, directory, self.url)

    def start(self) -> Self:
        self._serving = asyncio.run_coroutine_threadsafe(
            self._server.serve(sockets=[self._socket]), _shared_loop()
        )
        if not self._server.ready.wait(START_TIMEOUT) or self._serving.done():
            self.stop()
            raise RuntimeError("the emulator did not start")
        return self

    def stop(self) -> None:
        if self._serving is not None:
            self._server.stop()
            with contextlib.suppress(Exception):
                self._serving.result(timeout=GRACE + 5)
            self._serving = None
        self._socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_forever(world: World, host: str, port: int, credentials_dir: Path | None, announce) -> None:
    """Serve in the foreground until SIGINT or SIGTERM; *announce* gets the URL once the port is bound."""
    oauth = OAuthState()
    sock = _bind(host, port)
    url = "http://{}:{}".format(*sock.getsockname()[:2])
    if credentials_dir is not None:
        write_credentials(world, oauth, credentials_dir, url)
    _raise_open_files_limit()
    announce(url)
    server = _Server(_config(create_app(world, oauth), HEAD_TIMEOUT, BODY_TIMEOUT, own_logging=True))
    nonblocking_logging()  # after uvicorn set up its logging: an unread stderr must not stall serving
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: server.stop())
    server.run(sockets=[sock])


class _Server(uvicorn.Server):
    """uvicorn's server, woken by an event instead of polling: ``stop()`` (thread- and signal-safe)
    ends it at once. A stop asked for is a clean exit (uvicorn would re-raise the stop signal)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None

    def stop(self) -> None:
        self.should_exit = True
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop has just closed
                loop.call_soon_threadsafe(stopping.set)

    @contextlib.contextmanager
    def capture_signals(self):
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop, self._stopping = asyncio.get_running_loop(), asyncio.Event()
        await super().startup(sockets)
        self.ready.set()

    async def main_loop(self) -> None:
        ticks = 0
        while not await self.on_tick(ticks):  # refreshes the Date header once a second
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), 1)
            ticks += 10

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        state = self.server_state
        for connection in list(state.connections):  # idle ones close now, busy ones after their answer
            connection.shutdown()
        answering = set(state.tasks) - set(HELD_CALLS)  # a held call has no answer to let out
        if answering and state.connections:
            await asyncio.wait(answering, timeout=self.config.timeout_graceful_shutdown)
        self.config.app.stopping = True
        for task in list(state.tasks):  # no one is waiting for these any more
            task.cancel()
        for connection in list(state.connections):
            connection.transport.close()
        if state.tasks:
            await asyncio.wait(set(state.tasks))


class _Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for each request's head, counted from the
    connection or from the previous answer: a client that sends nothing, or trickles its
    headers, is disconnected (uvicorn's keep-alive timer restarts on every byte)."""

    def __init__(self, *args, head_timeout: float = HEAD_TIMEOUT, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout = head_timeout
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm()

    def handle_events(self) -> None:
        waiting_for = self.cycle
        super().handle_events()
        if self.cycle is not waiting_for:
            self._disarm()

    def on_response_complete(self) -> None:
        waiting_for = self.cycle
        super().on_response_complete()
        if self.cycle is waiting_for:  # no pipelined request started meanwhile
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.head_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


class _Quiet:
    """ASGI wrapper: a client that leaves early (or a body that stops coming) ends its request
    quietly, not with a traceback (a stalled body's answer closes its connection); so does the
    cancelling of work a stopping server abandons."""

    def __init__(self, app, body_timeout: float) -> None:
        self.app, self.body_timeout = app, body_timeout
        self.stopping = False  # set by the server: its cancelling of requests is expected

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        body_done = stalled = False

        async def receive_in_time():
            nonlocal body_done, stalled
            if body_done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.body_timeout)
            except TimeoutError:
                stalled = True
                raise ClientDisconnect() from None
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def send_closing_if_stalled(message):
            """After a stalled body the connection carries no further request: its answer closes it."""
            if stalled and message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), (b"connection", b"close")]}
            await send(message)

        try:
            await self.app(scope, receive_in_time, send_closing_if_stalled)
        except ClientDisconnect:
            return
        except asyncio.CancelledError:
            if not self.stopping:
                raise


def _config(app, head_timeout: float, body_timeout: float, own_logging: bool = False) -> uvicorn.Config:
    """uvicorn's settings; with *own_logging* uvicorn configures logging (the CLI owns its process,
    an in-process server leaves its host's logging alone)."""
    return uvicorn.Config(
        _Quiet(app, body_timeout),
        http=functools.partial(_Protocol, head_timeout=head_timeout),
        log_level="warning",
        log_config=uvicorn.config.LOGGING_CONFIG if own_logging else None,
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=GRACE,
    )


_LOOP: asyncio.AbstractEventLoop | None = None
_LOOP_LOCK = threading.Lock()


def _shared_loop() -> asyncio.AbstractEventLoop:
    """The process's event loop for in-process servers, on a daemon thread started on first use."""
    global _LOOP
    with _LOOP_LOCK:
        if _LOOP is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="gemini-doctor-emulator", daemon=True).start()
            _LOOP = loop
        return _LOOP


def _raise_open_files_limit() -> None:
    """Serve as many connections as the system allows (the soft limit is often 1024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _bind(host: str, port: int) -> socket.socket:
    # proto must be IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only then (else 40 ms per
    # response)
    sock = socket.socket(
        socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP
    )
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(4096)  # listen now, so "listening on" is true before uvicorn starts accepting
    return sock
