"""The emulator's starlette app: every emulated service on one port, plus /_emulator/ controls.

The services are the modules of ``services/``, found by :mod:`.backends`. Their paths do not collide,
so routing is by path alone. The Host header matters only when it names a googleapis.com host that
Google does not serve (``eu-aiplatform.googleapis.com``): then the front end refuses it, as Google's does.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import random
import re
import weakref

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..google.services import MULTI_REGIONS
from .backends import services
from .errors import GoogleError
from .guard import Guard
from .hostpath import HostInPath
from .oauth import OAuthState
from .registry import Context, Counters
from .services.logging_api import AuditLog
from .services.openai_compat import is_openai_path
from .world import World

EDGE_PAGE = """<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <title>Error 403 (Forbidden)!!1</title>
  <p><b>403.</b> <ins>That’s an error.</ins>
  <p>Your client does not have permission to get URL <code>{path}</code> from this server.  \
<ins>That’s all we know.</ins>
"""
NOT_FOUND_PAGE = (
    EDGE_PAGE.replace("403 (Forbidden)", "404 (Not Found)")
    .replace("<b>403.</b>", "<b>404.</b>")
    .replace(
        "Your client does not have permission to get URL <code>{path}</code> from this server.",
        "The requested URL <code>{path}</code> was not found on this server.",
    )
)
# Vertex hosts: {region}-aiplatform for single regions; the us / eu multi-regions are on
# aiplatform.{us,eu}.rep.
_REGIONAL_HOST = re.compile(r"(?P<location>[a-z0-9-]+)-aiplatform\.googleapis\.com")
_REP_HOST = re.compile(r"aiplatform\.(?P<location>[a-z0-9-]+)\.rep\.googleapis\.com")
_SINGLE_REGION = re.compile(r"[a-z]+-[a-z]+[0-9]+")
FAULT_KINDS = ("timeout", "http_500", "http_503", "reset")
TIMEOUT_SECONDS = 120
# The tasks of calls a "timeout" fault holds: they have no answer to let out, so a stopping server does not
# give them its grace.
HELD_CALLS: weakref.WeakSet[asyncio.Task] = weakref.WeakSet()


class _Front:
    """ASGI middleware playing Google's front end: counts calls, adds latency, edge blocks and faults.
    The emulator's own controls and the services' *local* paths ("/": the metadata server's ping) pass
    by it."""

    def __init__(self, app, world: World, counters: Counters, local: tuple[str, ...]) -> None:
        self.app, self.world, self.counters, self.local = app, world, counters, ("/_emulator/", *local)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] == "/" or scope["path"].startswith(self.local):
            return await self.app(scope, receive, send)
        self.counters.requests += 1
        if self.world.latency_ms:
            await asyncio.sleep(self.world.latency_ms / 1000)
        if self.world.edge_blocked:
            page = EDGE_PAGE.format(path=html.escape(scope["path"]))  # the path is the caller's text
            return await HTMLResponse(page, status_code=403)(scope, receive, send)
        refused = _host_refusal(dict(scope["headers"]).get(b"host", b"").decode("latin-1"), scope["path"])
        if refused is not None:
            return await refused(scope, receive, send)
        fault = next(
            (
                f
                for f in self.world.faults
                if f.get("kind") in FAULT_KINDS
                and f.get("path_contains", "") in scope["path"]
                and random.random() < float(f.get("rate", 1.0))
            ),
            None,
        )
        if fault is None:
            return await self.app(scope, receive, send)
        kind = fault.get("kind")
        if kind == "timeout":  # no answer until the caller gives up (or TIMEOUT_SECONDS pass)
            HELD_CALLS.add(asyncio.current_task())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_gone(receive), TIMEOUT_SECONDS)
            HELD_CALLS.discard(asyncio.current_task())
        if kind == "reset":
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]}
            )
            raise ConnectionResetError("emulated connection reset")
        status = "UNAVAILABLE" if kind == "http_503" else "INTERNAL"
        message = (
            "The service is currently unavailable." if kind == "http_503" else "Internal error encountered."
        )
        await GoogleError(status, message).response()(scope, receive, send)


async def _gone(receive) -> None:
    """Return once the caller has disconnected (its request's body, if any, read and dropped)."""
    while (await receive())["type"] != "http.disconnect":
        pass


def _host_refusal(host: str, path: str) -> Response | None:
    """Google's answer to a Vertex host it does not serve (global-aiplatform: an HTML 404; other unknown
    locations: 400 Invalid hostname), else None."""
    host = host.rsplit(":", 1)[0].lower()
    regional, rep = _REGIONAL_HOST.fullmatch(host), _REP_HOST.fullmatch(host)
    if regional and regional["location"] == "global":
        return HTMLResponse(NOT_FOUND_PAGE.format(path=path), status_code=404)
    if (regional and not _SINGLE_REGION.fullmatch(regional["location"])) or (
        rep and rep["location"] not in MULTI_REGIONS
    ):
        return GoogleError("INVALID_ARGUMENT", f"Invalid hostname: {host}").response()
    return None


def create_app(world: World, oauth: OAuthState | None = None) -> Starlette:
    """An app serving *world*; *oauth* holds the signing keys and tokens (shared with credential files)."""
    oauth = oauth or OAuthState()
    counters = Counters()
    audit = AuditLog(world)
    ctx = Context(world, oauth, counters, audit)

    async def stats(request: Request) -> Response:
        return JSONResponse({"requests": counters.requests, "mutations": counters.mutations})

    async def reset(request: Request) -> Response:
        counters.requests = counters.mutations = 0
        return JSONResponse({})

    async def google_error(request: Request, exc: GoogleError) -> Response:
        if exc.status == "PERMISSION_DENIED":
            audit.record_refusal(request, exc)
        return exc.response(as_list=is_openai_path(request.url.path))

    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code in (404, 405) and is_openai_path(request.url.path):
            return Response(status_code=404)  # Google's OpenAI-compatible paths it does not serve: no body
        if exc.status_code in (404, 405):
            return GoogleError(
                "NOT_FOUND", f"The requested URL {request.url.path} was not found on this server.", code=404
            ).response()
        return GoogleError("INVALID_ARGUMENT", "Request contains an invalid argument.").response()

    routes = [
        Route("/_emulator/stats", stats, methods=["GET"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
    ]
    for service in services():
        routes.extend(ctx.backend(service.backend).routes())
    local = tuple(path for service in services() for path in service.local_paths)
    app = Starlette(
        routes=routes,
        exception_handlers={GoogleError: google_error, HTTPException: http_error},
        middleware=[
            Middleware(Guard),
            Middleware(HostInPath),
            Middleware(_Front, world=world, counters=counters, local=local),
        ],
    )
    app.state.world, app.state.counters, app.state.oauth, app.state.audit = world, counters, oauth, audit
    return app
