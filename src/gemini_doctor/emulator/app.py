"""The emulator's starlette app: every service backend on one port, plus /_emulator/ controls.

One module per Google service (state + routes), like moto's backends. Their paths do not collide,
so routing is by path alone. The Host header matters only when it names a googleapis.com host that
Google does not serve (``eu-aiplatform.googleapis.com``): then the front end refuses it, as Google's does.
"""

from __future__ import annotations

import asyncio
import html
import random
import re

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from .apikeys import ApiKeysBackend
from .billing import BillingBackend
from .errors import GoogleError
from .files import FilesBackend
from .gemini_api import GeminiApiBackend
from .guard import Guard
from .hostpath import HostInPath
from .iamcredentials import IamCredentialsBackend
from .logging_api import AuditLog, LoggingBackend
from .metadata import ROOT as METADATA_ROOT
from .metadata import MetadataBackend
from .oauth import OAuthBackend, OAuthState
from .openai_compat import OpenAICompatBackend, is_openai_path
from .resourcemanager import ResourceManagerBackend
from .serviceusage import ServiceUsageBackend
from .vertex import VertexBackend
from .world import World

EDGE_PAGE = """<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <title>Error 403 (Forbidden)!!1</title>
  <p><b>403.</b> <ins>That’s an error.</ins>
  <p>Your client does not have permission to get URL <code>{path}</code> from this server.  <ins>That’s all we know.</ins>
"""
NOT_FOUND_PAGE = EDGE_PAGE.replace("403 (Forbidden)", "404 (Not Found)").replace("<b>403.</b>", "<b>404.</b>").replace(
    "Your client does not have permission to get URL <code>{path}</code> from this server.",
    "The requested URL <code>{path}</code> was not found on this server.")
# Vertex hosts: {region}-aiplatform for single regions; the us / eu multi-regions are on aiplatform.{us,eu}.rep.
_REGIONAL_HOST = re.compile(r"(?P<location>[a-z0-9-]+)-aiplatform\.googleapis\.com")
_REP_HOST = re.compile(r"aiplatform\.(?P<location>[a-z0-9-]+)\.rep\.googleapis\.com")
_SINGLE_REGION = re.compile(r"[a-z]+-[a-z]+[0-9]+")
MULTI_REGIONS = ("us", "eu")
FAULT_KINDS = ("timeout", "http_500", "http_503", "reset")
# the emulator's own controls, and the machine's metadata server ("/" is its ping): local, not behind Google's front end
_NOT_BEHIND_GOOGLES_FRONT = ("/_emulator/", METADATA_ROOT)
TIMEOUT_SECONDS = 120


class Counters:
    def __init__(self) -> None:
        self.requests = 0
        self.mutations = 0


class _Front:
    """ASGI middleware playing Google's front end: counts calls, adds latency, edge blocks and faults."""

    def __init__(self, app, world: World, counters: Counters) -> None:
        self.app, self.world, self.counters = app, world, counters

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] == "/" or scope["path"].startswith(_NOT_BEHIND_GOOGLES_FRONT):
            return await self.app(scope, receive, send)
        self.counters.requests += 1
        if self.world.latency_ms:
            await asyncio.sleep(self.world.latency_ms / 1000)
        if self.world.edge_blocked:
            page = EDGE_PAGE.format(path=html.escape(scope["path"]))     # the path is the caller's text
            return await HTMLResponse(page, status_code=403)(scope, receive, send)
        refused = _host_refusal(dict(scope["headers"]).get(b"host", b"").decode("latin-1"), scope["path"])
        if refused is not None:
            return await refused(scope, receive, send)
        fault = next((f for f in self.world.faults if f.get("kind") in FAULT_KINDS and f.get("path_contains", "") in scope["path"]
                      and random.random() < float(f.get("rate", 1.0))), None)
        if fault is None:
            return await self.app(scope, receive, send)
        kind = fault.get("kind")
        if kind == "timeout":
            await asyncio.sleep(TIMEOUT_SECONDS)
        if kind == "reset":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]})
            raise ConnectionResetError("emulated connection reset")
        status = "UNAVAILABLE" if kind == "http_503" else "INTERNAL"
        message = "The service is currently unavailable." if kind == "http_503" else "Internal error encountered."
        await GoogleError(status, message).response()(scope, receive, send)


def _host_refusal(host: str, path: str) -> Response | None:
    """Google's answer to a Vertex host it does not serve (global-aiplatform: an HTML 404; other unknown
    locations: 400 Invalid hostname), else None."""
    host = host.rsplit(":", 1)[0].lower()
    regional, rep = _REGIONAL_HOST.fullmatch(host), _REP_HOST.fullmatch(host)
    if regional and regional["location"] == "global":
        return HTMLResponse(NOT_FOUND_PAGE.format(path=path), status_code=404)
    if (regional and not _SINGLE_REGION.fullmatch(regional["location"])) or (rep and rep["location"] not in MULTI_REGIONS):
        return GoogleError("INVALID_ARGUMENT", f"Invalid hostname: {host}").response()
    return None


def create_app(world: World, oauth: OAuthState | None = None) -> Starlette:
    """An app serving *world*; *oauth* holds the signing keys and tokens (shared with credential files)."""
    oauth = oauth or OAuthState()
    counters = Counters()
    audit = AuditLog(world)
    gemini = GeminiApiBackend(world, oauth)
    backends = [gemini, OpenAICompatBackend(gemini), FilesBackend(gemini), VertexBackend(world, oauth), OAuthBackend(world, oauth),
                ServiceUsageBackend(world, oauth, counters), ResourceManagerBackend(world, oauth, counters),
                BillingBackend(world, oauth, counters), ApiKeysBackend(world, oauth, counters), MetadataBackend(world, oauth),
                IamCredentialsBackend(world, oauth), LoggingBackend(world, oauth, audit)]

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
            return Response(status_code=404)      # Google's OpenAI-compatible paths it does not serve: no body
        if exc.status_code in (404, 405):
            return GoogleError("NOT_FOUND", f"The requested URL {request.url.path} was not found on this server.", code=404).response()
        return GoogleError("INVALID_ARGUMENT", "Request contains an invalid argument.").response()

    routes = [Route("/_emulator/stats", stats, methods=["GET"]), Route("/_emulator/reset", reset, methods=["POST"])]
    for backend in backends:
        routes.extend(backend.routes())
    app = Starlette(routes=routes,
                    exception_handlers={GoogleError: google_error, HTTPException: http_error},
                    middleware=[Middleware(Guard), Middleware(HostInPath),
                                Middleware(_Front, world=world, counters=counters)])
    app.state.world, app.state.counters, app.state.oauth, app.state.audit = world, counters, oauth, audit
    return app
