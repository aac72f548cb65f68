"""Run the emulator with uvicorn: in the foreground (CLI) or on a background thread (tests, demo)."""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from pathlib import Path

import uvicorn

from .app import create_app
from .credentials import write_credentials
from .oauth import OAuthState
from .world import World


class BackgroundServer:
    """The emulator on a free loopback port in a daemon thread; use as a context manager."""

    def __init__(self, world: World, host: str = "127.0.0.1", port: int = 0) -> None:
        self.world, self.oauth = world, OAuthState()
        self.app = create_app(world, self.oauth)
        self._socket = _bind(host, port)
        self.host, self.port = self._socket.getsockname()[:2]
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False,
                                                     timeout_graceful_shutdown=1))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def write_credentials(self, directory: Path) -> dict[str, Path]:
        return write_credentials(self.world, self.oauth, directory, self.url)

    def __enter__(self) -> "BackgroundServer":
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the emulator did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


def serve_forever(world: World, host: str, port: int, credentials_dir: Path | None, announce) -> None:
    """Serve in the foreground until stopped; *announce* gets the URL once the port is bound."""
    oauth = OAuthState()
    sock = _bind(host, port)
    url = "http://{}:{}".format(*sock.getsockname()[:2])
    if credentials_dir is not None:
        write_credentials(world, oauth, credentials_dir, url)
    announce(url)
    server = _QuietServer(uvicorn.Config(create_app(world, oauth), log_level="warning", lifespan="off", access_log=False))
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: setattr(server, "should_exit", True))
    server.run(sockets=[sock])


class _QuietServer(uvicorn.Server):
    """uvicorn re-raises the stop signal after shutting down; a stop we asked for is a clean exit (code 0)."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


def _bind(host: str, port: int) -> socket.socket:
    # proto must be IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only then (else 40 ms per response)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)  # listen now, so "listening on" is true before uvicorn starts accepting
    return sock
