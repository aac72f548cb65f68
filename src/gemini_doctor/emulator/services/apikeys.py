"""API Keys backend (apikeys.googleapis.com v2): lookupKey, keys.get, keys.create and keys.patch (with their
finished operations).

keys.create needs ``apikeys.keys.create`` on the project; a key bound to a service account
(``serviceAccountEmail``: an ``AQ.`` auth key, as AI Studio makes) also needs
``iam.serviceAccountApiKeyBindings.create``, and the organization policy
``iam.managed.disableServiceAccountApiKeyCreation`` refuses it when enforced. Without an account the key is a
standard ``AIza`` key. The new key joins the world: calls with it are judged like any other key's.
"""

from __future__ import annotations

import re
import secrets
import string

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...google.access import BIND_KEYS_TO_SERVICE_ACCOUNTS, CLOUD_PLATFORM, CREATE_KEYS
from ...google.org_policy import NO_KEYS_BOUND_TO_SERVICE_ACCOUNTS
from ..admin_common import AdminBackend, iam_denied
from ..content import json_body
from ..errors import GoogleError
from ..registry import EmulatedService
from ..world import ApiKey, Project, Restrictions

SERVICE = "apikeys.googleapis.com"
_KEY_ID = re.compile(r"[a-z][a-z0-9-]{0,61}[a-z0-9]")


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
            Route("/v2/projects/{project}/locations/global/keys", self.create, methods=["POST"]),
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
        return self._done(key_resource(key))

    async def create(self, request: Request) -> Response:
        """keys.create: a new key in the project, answered as a finished operation holding it (string too)."""
        token = self.caller(request, "google.api.apikeys.v2.ApiKeys.CreateKey", {CLOUD_PLATFORM})
        ref = request.path_params["project"]
        project = self.permitted(token, ref, CREATE_KEYS)
        if project is None:
            raise iam_denied(SERVICE, CREATE_KEYS, f"projects/{ref}/locations/global")
        body = await json_body(request)
        account = body.get("serviceAccountEmail") or None
        if account is not None:
            self._may_bind(token, project, str(account))
        key_id = request.query_params.get("keyId") or f"emulated-{secrets.token_hex(8)}"
        if not _KEY_ID.fullmatch(key_id) or any(
            k.name.endswith(f"/keys/{key_id}") for k in self.world.api_keys
        ):
            raise GoogleError("INVALID_ARGUMENT", f"Invalid or already used key ID: {key_id[:70]}.")
        prefix, length = ("AQ.", 53) if account else ("AIza", 39)
        alphabet = string.ascii_letters + string.digits + "-_"
        key = ApiKey(
            key=prefix + "".join(secrets.choice(alphabet) for _ in range(length - len(prefix))),
            name=f"projects/{project.number}/locations/global/keys/{key_id}",
            project=project.id,
            restrictions=_restrictions(body.get("restrictions") or {}),
            kind="auth" if account else "standard",
            service_account=account,
        )
        self.world.api_keys.append(key)
        shown = {**key_resource(key), "keyString": key.key}
        if body.get("displayName"):
            shown["displayName"] = str(body["displayName"])[:63]
        return self._done(shown)

    def _may_bind(self, token, project: Project, account: str) -> None:
        """Binding a key to *account* needs the binding permission, and no enforced org policy against it."""
        if self.permitted(token, project.id, BIND_KEYS_TO_SERVICE_ACCOUNTS) is None:
            raise iam_denied(SERVICE, BIND_KEYS_TO_SERVICE_ACCOUNTS, f"projects/{project.id}")
        if (project.org_policies.get(NO_KEYS_BOUND_TO_SERVICE_ACCOUNTS) or {}).get("enforce"):
            raise GoogleError(
                "FAILED_PRECONDITION",
                f"Constraint constraints/{NO_KEYS_BOUND_TO_SERVICE_ACCOUNTS} violated for projects/"
                f"{project.number}: API keys bound to service accounts may not be created.",
            )

    def _done(self, key: dict) -> Response:
        """A mutation's answer: the finished operation holding *key*, kept for operations.get."""
        self.counters.mutations += 1
        name = f"operations/akmf.emulated-{len(self.finished) + 1}"
        done = {
            "name": name,
            "done": True,
            "response": {"@type": "type.googleapis.com/google.api.apikeys.v2.Key", **key},
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
