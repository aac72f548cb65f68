"""The emulator's starlette app: every service backend on one port, plus /_emulator/ controls."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import GoogleError
from .gemini_api import GeminiApiBackend
from .world import World


class _CountAndDelay:
    """ASGI middleware: count every Google call and add the world's latency to it."""

    def __init__(self, app, world: World, counters: "Counters") -> None:
        self.app, self.world, self.counters = app, world, counters

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/_emulator/"):
            self.counters.requests += 1
            if self.world.latency_ms:
                await asyncio.sleep(self.world.latency_ms / 1000)
        await self.app(scope, receive, send)


class Counters:
    def __init__(self) -> None:
        self.requests = 0
        self.mutations = 0


def create_app(world: World) -> Starlette:
    """An app serving *world*. Backends are listed here, one module per Google service."""
    counters = Counters()
    gemini = GeminiApiBackend(world)

    async def stats(request: Request) -> Response:
        return JSONResponse({"requests": counters.requests, "mutations": counters.mutations})

    async def reset(request: Request) -> Response:
        counters.requests = counters.mutations = 0
        return JSONResponse({})

    async def google_error(request: Request, exc: GoogleError) -> Response:
        return exc.response()

    async def not_found(request: Request, exc: HTTPException) -> Response:
        status = {404: "NOT_FOUND", 405: "NOT_FOUND"}.get(exc.status_code, "INVALID_ARGUMENT")
        return GoogleError(status, f"The requested URL {request.url.path} was not found on this server.", code=404 if exc.status_code in (404, 405) else 400).response()

    async def internal(request: Request, exc: Exception) -> Response:
        return GoogleError("INTERNAL", "Internal error encountered.").response()

    app = Starlette(
        routes=[Route("/_emulator/stats", stats, methods=["GET"]), Route("/_emulator/reset", reset, methods=["POST"]),
                *gemini.routes()],
        exception_handlers={GoogleError: google_error, HTTPException: not_found, Exception: internal},
        middleware=[Middleware(_CountAndDelay, world=world, counters=counters)],
    )

    app.state.world, app.state.counters = world, counters
    return app
