"""The metadata server of the machine the app runs on (GCE, Cloud Run): metadata.google.internal.

A world's ``metadata`` section describes that machine: ``platform`` (``gce`` or ``cloud-run``), the
``service_account`` its code runs as, the instance's access ``scopes``, and its ``project``.
google-auth finds it through ``GCE_METADATA_HOST`` and ``GCE_METADATA_IP`` (env.sh sets both).
On GCE the instance's scopes bound every token and a requested ``?scopes=`` is ignored, which is
the classic trap: a VM created with the default scopes gets ACCESS_TOKEN_SCOPE_INSUFFICIENT from
Vertex whatever its IAM roles say. Cloud Run grants the scopes asked for. Without a ``metadata``
section this is not a Google machine: every path answers 404 without the Metadata-Flavor header.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ...google.access import CLOUD_PLATFORM
from ..oauth import TOKEN_LIFETIME
from ..registry import Context, EmulatedService

ROOT = "/computeMetadata/v1"
FLAVOR = {"Metadata-Flavor": "Google"}


class MetadataBackend:
    def __init__(self, ctx: Context) -> None:
        self.world, self.oauth = ctx.world, ctx.oauth

    def routes(self) -> list[Route]:
        return [
            Route("/", self.ping, methods=["GET"]),
            Route(f"{ROOT}/project/{{item}}", self.project, methods=["GET"]),
            Route(
                f"{ROOT}/instance/service-accounts/{{account}}/{{item:path}}",
                self.service_account,
                methods=["GET", "POST"],
            ),
        ]

    async def ping(self, request: Request) -> Response:
        return self._refusal(request) or PlainTextResponse("", headers=FLAVOR)

    async def project(self, request: Request) -> Response:
        if refusal := self._refusal(request):
            return refusal
        project = self.world.project(self.world.metadata.get("project"))
        values = {
            "project-id": project.id if project else None,
            "numeric-project-id": str(project.number) if project else None,
        }
        value = values.get(request.path_params["item"])
        return PlainTextResponse(value, headers=FLAVOR) if value else _not_found()

    async def service_account(self, request: Request) -> Response:
        if refusal := self._refusal(request):
            return refusal
        email, scopes = self.world.metadata["service_account"], self._instance_scopes()
        if request.path_params["account"] not in ("default", email):
            return _not_found()
        item = request.path_params["item"].strip("/")
        if item == "" and request.query_params.get("recursive") == "true":
            return JSONResponse({"aliases": ["default"], "email": email, "scopes": scopes}, headers=FLAVOR)
        if item == "email":
            return PlainTextResponse(email, headers=FLAVOR)
        if item == "scopes":
            return PlainTextResponse("\n".join(scopes) + "\n", headers=FLAVOR)
        if item == "token":
            requested = [s for s in request.query_params.get("scopes", "").split(",") if s]
            granted = (
                requested if requested and self.world.metadata.get("platform") == "cloud-run" else scopes
            )
            token = self.oauth.issue(email, set(granted))
            return JSONResponse(
                {"access_token": token, "expires_in": TOKEN_LIFETIME - 1, "token_type": "Bearer"},
                headers=FLAVOR,
            )
        return _not_found()

    def _instance_scopes(self) -> list[str]:
        return list(self.world.metadata.get("scopes") or [CLOUD_PLATFORM])

    def _refusal(self, request: Request) -> Response | None:
        """What the server says instead of answering: not a Google machine,
        or a request without the header."""
        if not self.world.metadata:
            return PlainTextResponse("Not Found", status_code=404)
        if request.headers.get("metadata-flavor") != "Google":
            return PlainTextResponse(
                "Missing required header: Metadata-Flavor\n", status_code=403, headers=FLAVOR
            )
        return None


def _not_found() -> Response:
    return PlainTextResponse("Not Found", status_code=404, headers=FLAVOR)


# the machine's own server ("/" is its ping), not behind Google's front end
EMULATED = EmulatedService("metadata.google.internal", MetadataBackend, local_paths=(ROOT,))
