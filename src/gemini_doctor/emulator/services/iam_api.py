"""IAM API v2 (iam.googleapis.com): the deny policies attached to a project, read from the world.

``GET /v2/policies/{attachment}/denypolicies/{id}`` answers one policy with its rules
(``iam.denypolicies.get``); ``GET /v2/policies/{attachment}/denypolicies`` lists them without their rules,
as Google does (``iam.denypolicies.list``). The attachment point is the URL-encoded
``cloudresourcemanager.googleapis.com/projects/{id or number}``; gcloud encodes it twice, so it is decoded
until no escape is left. A caller without the permission, or a project that is not there, gets the same 403.
"""

from __future__ import annotations

from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...google.access import GET_DENY_POLICIES
from ...google.services import BY_SHORT
from ..admin_common import AdminBackend, iam_denied
from ..deny import policy_resource
from ..errors import GoogleError
from ..registry import EmulatedService
from ..world import Project

SERVICE = BY_SHORT["iam"].name
LIST_DENY_POLICIES = "iam.denypolicies.list"
_PROJECTS = "cloudresourcemanager.googleapis.com/projects/"
_POLICIES = "/v2/policies/{attachment:path}/denypolicies"


class IamBackend(AdminBackend):
    service = SERVICE

    def routes(self) -> list[Route]:
        return [
            Route(_POLICIES, self.list, methods=["GET"]),
            Route(_POLICIES + "/{policy_id}", self.get, methods=["GET"]),
        ]

    async def get(self, request: Request) -> Response:
        token = self.caller(request, "google.iam.v2.Policies.GetPolicy")
        project, attachment = self._project(request, token, GET_DENY_POLICIES)
        policy_id = request.path_params["policy_id"]
        policy = next((p for p in project.deny_policies if p["name"] == policy_id), None)
        if policy is None:
            raise GoogleError(
                "NOT_FOUND", f"Policy policies/{attachment}/denypolicies/{policy_id[:100]} not found."
            )
        return JSONResponse(policy_resource(project.number, policy))

    async def list(self, request: Request) -> Response:
        token = self.caller(request, "google.iam.v2.Policies.ListPolicies")
        project, _ = self._project(request, token, LIST_DENY_POLICIES)
        shown = [policy_resource(project.number, p) for p in project.deny_policies]
        return JSONResponse({"policies": [{k: v for k, v in p.items() if k != "rules"} for p in shown]})

    def _project(self, request: Request, token, permission: str) -> tuple[Project, str]:
        """The project the attachment point names, when the caller holds *permission* on it; else the 403."""
        raw = request.path_params["attachment"]
        while "%" in raw and unquote(raw) != raw:
            raw = unquote(raw)
        encoded = raw.replace("/", "%2F")
        if not raw.startswith(_PROJECTS) or "/" in raw.removeprefix(_PROJECTS):
            raise GoogleError(
                "INVALID_ARGUMENT",
                "The attachment point must be cloudresourcemanager.googleapis.com/projects/PROJECT, "
                "URL-encoded.",
            )
        project = self.permitted(token, raw.removeprefix(_PROJECTS), permission)
        if project is None:
            raise iam_denied(SERVICE, permission, f"policies/{encoded}/denypolicies")
        return project, encoded


EMULATED = EmulatedService(SERVICE, IamBackend)
