"""API Keys backend (apikeys.googleapis.com v2): lookupKey, keys.get and keys.patch (with its operation)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...google.access import CLOUD_PLATFORM
from ..admin_common import AdminBackend, iam_denied
from ..content import json_body
from ..errors import GoogleError
from ..registry import EmulatedService
from ..world import ApiKey, Restrictions

SERVICE = "apikeys.googleapis.com"


class ApiKeysBackend(AdminBackend):
    service = SERVICE

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.finished: dict[str, dict] = {}  # operation name -> the finished operation

    def routes(self) -> list[Route]:
        return [
            Route("/v2/keys:lookupKey", self.lookup, methods=["GET"]),
            Route("/v2/projects/{project}/locations/global/keys/{key_id}", self.get, methods=["GET"]),
            Route("/v2/projects/{project}/locations/global/keys/{key_id}", self.patch, methods=["PATCH"]),
            Route("/v2/operations/{operation}", self.operation, methods=["GET"]),
        ]

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
        return JSONResponse(key_resource(self._key(request, token, "apikeys.keys.get")))

    async def patch(self, request: Request) -> Response:
        """keys.patch: the fields named in ``updateMask`` (all of ``restrictions``, or one kind of it) take
        the body's values; the answer is a finished long-running operation holding the key."""
        token = self.caller(request, "google.api.apikeys.v2.ApiKeys.UpdateKey", {CLOUD_PLATFORM})
        key = self._key(request, token, "apikeys.keys.update")
        body = await json_body(request)
        mask = [m.strip() for m in request.query_params.get("updateMask", "").split(",") if m.strip()]
        wanted = body.get("restrictions") or {}
        current = key_resource(key).get("restrictions", {})
        if not mask or "restrictions" in mask:
            current = wanted
        for path in mask:
            kind = _camel(path.removeprefix("restrictions.")) if path.startswith("restrictions.") else None
            if kind is not None and wanted.get(kind):
                current[kind] = wanted[kind]
            elif kind is not None:
                current.pop(kind, None)
        key.restrictions = _restrictions(current)
        self.counters.mutations += 1
        name = f"operations/akmf.emulated-{len(self.finished) + 1}"
        done = {
            "name": name,
            "done": True,
            "response": {"@type": "type.googleapis.com/google.api.apikeys.v2.Key", **key_resource(key)},
        }
        self.finished[name] = done
        return JSONResponse(done)

    async def operation(self, request: Request) -> Response:
        self.caller(request, "google.longrunning.Operations.GetOperation")
        name = f"operations/{request.path_params['operation']}"
        if name not in self.finished:
            raise GoogleError("NOT_FOUND", f"Operation {name} not found.")
        return JSONResponse(self.finished[name])

    def _key(self, request: Request, token, permission: str) -> ApiKey:
        """The key the path names, when the caller holds *permission* on its project; else Google's denial."""
        ref, key_id = request.path_params["project"], request.path_params["key_id"]
        project = self.permitted(token, ref, permission)
        key = next(
            (
                k
                for k in self.world.api_keys
                if k.name.rsplit("/", 1)[-1] == key_id
                and project is not None
                and self.world.project(k.project) is project
            ),
            None,
        )
        if key is None:
            raise iam_denied(SERVICE, permission, f"projects/{ref}/locations/global/keys/{key_id}")
        return key


def key_resource(key: ApiKey) -> dict:
    """The Key resource as the API shows it (restrictions in the API's own shape)."""
    out = {
        "name": key.name,
        "uid": key.name.rsplit("/", 1)[-1],
        "displayName": key.name.rsplit("/", 1)[-1],
        "etag": 'W/"emulated"',
    }
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
            restrictions["androidKeyRestrictions"] = {
                "allowedApplications": [{"packageName": p} for p in rules.android_apps]
            }
        if rules.ios_bundles:
            restrictions["iosKeyRestrictions"] = {"allowedBundleIds": rules.ios_bundles}
        out["restrictions"] = restrictions
    return out


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def _restrictions(shown: dict) -> Restrictions | None:
    """The world's restrictions from the API's shape (the inverse of :func:`key_resource`)."""
    if not shown:
        return None
    return Restrictions(
        api_targets=[t.get("service", "") for t in shown.get("apiTargets", [])],
        referrers=list((shown.get("browserKeyRestrictions") or {}).get("allowedReferrers", [])),
        ips=list((shown.get("serverKeyRestrictions") or {}).get("allowedIps", [])),
        android_apps=[
            a.get("packageName", "")
            for a in (shown.get("androidKeyRestrictions") or {}).get("allowedApplications", [])
        ],
        ios_bundles=list((shown.get("iosKeyRestrictions") or {}).get("allowedBundleIds", [])),
    )


EMULATED = EmulatedService(SERVICE, ApiKeysBackend)
