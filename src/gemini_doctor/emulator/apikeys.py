"""API Keys backend (apikeys.googleapis.com v2): lookupKey and keys.get."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .admin_common import AdminBackend, iam_denied
from .errors import GoogleError
from .world import ApiKey

SERVICE = "apikeys.googleapis.com"


class ApiKeysBackend(AdminBackend):
    service = SERVICE

    def routes(self) -> list[Route]:
        return [Route("/v2/keys:lookupKey", self.lookup, methods=["GET"]),
                Route("/v2/projects/{project}/locations/global/keys/{key_id}", self.get, methods=["GET"])]

    async def lookup(self, request: Request) -> Response:
        token = self.caller(request, "google.api.apikeys.v2.ApiKeys.LookupKey")
        key = self.world.api_key(request.query_params.get("keyString", ""))
        if key is None or key.state == "deleted":
            raise GoogleError("NOT_FOUND", "API key not found.")
        project = self.permitted(token, key.project, "apikeys.keys.lookup")
        if project is None:
            raise iam_denied(SERVICE, "apikeys.keys.lookup", f"projects/{key.project}")
        return JSONResponse({"parent": f"projects/{project.number}", "name": key.name})

    async def get(self, request: Request) -> Response:
        token = self.caller(request, "google.api.apikeys.v2.ApiKeys.GetKey")
        ref, key_id = request.path_params["project"], request.path_params["key_id"]
        project = self.permitted(token, ref, "apikeys.keys.get")
        key = next((k for k in self.world.api_keys if k.name.rsplit("/", 1)[-1] == key_id
                    and project is not None and self.world.project(k.project) is project), None)
        if key is None:
            raise iam_denied(SERVICE, "apikeys.keys.get", f"projects/{ref}/locations/global/keys/{key_id}")
        return JSONResponse(key_resource(key))


def key_resource(key: ApiKey) -> dict:
    """The Key resource as the API shows it (restrictions in the API's own shape)."""
    out = {"name": key.name, "uid": key.name.rsplit("/", 1)[-1], "displayName": key.name.rsplit("/", 1)[-1], "etag": "W/\"emulated\""}
    if key.service_account:
        out["serviceAccountEmail"] = key.service_account
    rules = key.restrictions
    if rules is not None:
        restrictions: dict = {}
        if rules.api_targets:
            restrictions["apiTargets"] = [{"service": s} for s in rules.api_targets]
        if rules.referrers:
            restrictions["browserKeyRestrictions"] = {"allowedReferrers": rules.referrers}
        if rules.ips:
            restrictions["serverKeyRestrictions"] = {"allowedIps": rules.ips}
        if rules.android_apps:
            restrictions["androidKeyRestrictions"] = {"allowedApplications": [{"packageName": p} for p in rules.android_apps]}
        if rules.ios_bundles:
            restrictions["iosKeyRestrictions"] = {"allowedBundleIds": rules.ios_bundles}
        out["restrictions"] = restrictions
    return out
