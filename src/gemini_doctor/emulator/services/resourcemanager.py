"""Cloud Resource Manager backend: project get (v1, v3), testIamPermissions, get/setIamPolicy (etag)."""

from __future__ import annotations

import base64
import copy

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...google.access import CLOUD_PLATFORM, data_access_services
from ...google.services import BY_SHORT
from ..admin_common import AdminBackend, iam_denied
from ..content import json_body
from ..errors import GoogleError
from ..iam import granted
from ..registry import EmulatedService
from .logging_api import audit_configs

SERVICE = BY_SHORT["cloudresourcemanager"].name


class ResourceManagerBackend(AdminBackend):
    service = SERVICE

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.policy_versions: dict[str, int] = {}

    def routes(self) -> list[Route]:
        return [Route("/{version}/projects/{name}", self.project_call, methods=["GET", "POST"])]

    async def project_call(self, request: Request) -> Response:
        version = request.path_params["version"]
        ref, _, verb = request.path_params["name"].partition(":")
        if version not in ("v1", "v3"):
            raise GoogleError(
                "NOT_FOUND", f"The requested URL {request.url.path} was not found on this server.", code=404
            )
        if request.method == "GET" and not verb:
            return self._get(request, version, ref)
        handler = {
            "testIamPermissions": self._test,
            "getIamPolicy": self._get_policy,
            "setIamPolicy": self._set_policy,
        }.get(verb)
        if request.method != "POST" or handler is None:
            raise GoogleError(
                "NOT_FOUND", f"The requested URL {request.url.path} was not found on this server.", code=404
            )
        return await handler(request, ref)

    def _get(self, request: Request, version: str, ref: str) -> Response:
        token = self.caller(request, "google.cloud.resourcemanager.v3.Projects.GetProject")
        project = self.permitted(token, ref, "resourcemanager.projects.get")
        if project is None:
            if version == "v1":
                raise GoogleError("PERMISSION_DENIED", "The caller does not have permission")
            raise iam_denied(SERVICE, "resourcemanager.projects.get", f"projects/{ref}")
        if version == "v1":
            return JSONResponse(
                {
                    "projectNumber": str(project.number),
                    "projectId": project.id,
                    "lifecycleState": project.state,
                    "name": project.id,
                    "labels": {},
                }
            )
        return JSONResponse(
            {
                "name": f"projects/{project.number}",
                "projectId": project.id,
                "state": project.state,
                "displayName": project.id,
                "etag": self._etag(project.id),
            }
        )

    async def _test(self, request: Request, ref: str) -> Response:
        token = self.caller(request, "google.cloud.resourcemanager.v3.Projects.TestIamPermissions")
        body = await json_body(request)
        project = self.world.project(ref)
        if project is None:
            raise GoogleError("PERMISSION_DENIED", "The caller does not have permission")
        wanted = [p for p in body.get("permissions", []) if isinstance(p, str)]
        if any("*" in p for p in wanted):
            raise GoogleError("INVALID_ARGUMENT", "Permissions with wildcards are not allowed.")
        held = [p for p in wanted if granted(project, token.principal, p)]
        return JSONResponse({"permissions": held} if held else {})

    async def _get_policy(self, request: Request, ref: str) -> Response:
        token = self.caller(request, "google.cloud.resourcemanager.v3.Projects.GetIamPolicy")
        project = self.permitted(token, ref, "resourcemanager.projects.getIamPolicy")
        if project is None:
            raise iam_denied(SERVICE, "resourcemanager.projects.getIamPolicy", f"projects/{ref}")
        return JSONResponse(self._policy(project))

    async def _set_policy(self, request: Request, ref: str) -> Response:
        token = self.caller(
            request, "google.cloud.resourcemanager.v3.Projects.SetIamPolicy", {CLOUD_PLATFORM}
        )
        project = self.permitted(token, ref, "resourcemanager.projects.setIamPolicy")
        if project is None:
            raise iam_denied(SERVICE, "resourcemanager.projects.setIamPolicy", f"projects/{ref}")
        self._other_writer(project)
        policy = (await json_body(request)).get("policy")
        if not isinstance(policy, dict) or not isinstance(policy.get("bindings", []), list):
            raise GoogleError("INVALID_ARGUMENT", "Request contains an invalid argument.")
        if policy.get("etag") != self._etag(project.id):
            raise GoogleError(
                "ABORTED",
                (
                    "There were concurrent policy changes. Please retry the whole read-modify-write with "
                    "exponential backoff."
                ),
            )
        project.iam = copy.deepcopy(policy.get("bindings", []))
        if "auditConfigs" in policy:
            project.data_access_logs = data_access_services(policy["auditConfigs"])
        self.policy_versions[project.id] = self.policy_versions.get(project.id, 0) + 1
        self.counters.mutations += 1
        return JSONResponse(self._policy(project))

    def _policy(self, project) -> dict:
        """The project's IAM policy as Google returns it: bindings and, when any, audit configs."""
        policy = {"version": 3, "etag": self._etag(project.id), "bindings": copy.deepcopy(project.iam)}
        return {**policy, "auditConfigs": configs} if (configs := audit_configs(project)) else policy

    def _other_writer(self, project) -> None:
        """World fault `concurrent_iam_write`: another writer changes the policy first,
        once (etag moves on)."""
        fault = next(
            (f for f in self.world.faults if f.get("kind") == "concurrent_iam_write" and not f.get("done")),
            None,
        )
        if fault is None:
            return
        fault["done"] = True
        project.iam.append(
            {
                "role": fault.get("role", "roles/viewer"),
                "members": [fault.get("member", "user:other@example.com")],
            }
        )
        self.policy_versions[project.id] = self.policy_versions.get(project.id, 0) + 1
        self.counters.mutations += 1

    def _etag(self, project_id: str) -> str:
        return base64.b64encode(f"{project_id}:{self.policy_versions.get(project_id, 0)}".encode()).decode()


EMULATED = EmulatedService(SERVICE, ResourceManagerBackend)
