"""Run the emulator with uvicorn: in the foreground (CLI) or on a background thread (tests, demo)."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from .app import create_app
from .world import World


class BackgroundServer:
    """The emulator on a free loopback port in a daemon thread; use as a context manager."""

    def __init__(self, world: World, host: str = "127.0.0.1", port: int = 0) -> None:
        self.world = world
        self.app = create_app(world)
        self._socket = socket.socket()
        self._socket.bind((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

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


def serve_forever(world: World, host: str, port: int, announce) -> None:
    """Serve in the foreground until Ctrl-C or SIGTERM; *announce* gets the URL before serving."""
    sock = socket.socket()
    sock.bind((host, port))
    bound_host, bound_port = sock.getsockname()[:2]
    announce(f"http://{bound_host}:{bound_port}")
    server = uvicorn.Server(uvicorn.Config(create_app(world), log_level="warning", lifespan="off", access_log=False))
    server.run(sockets=[sock])
