"""API Keys backend (apikeys.googleapis.com v2): lookupKey and keys.list, get, getKeyString, create, patch,
delete and undelete (mutations answer with their finished operation, kept for operations.get).

A deleted key stays in the world for 30 days as Google keeps it: keys.get still shows it, with ``deleteTime``;
keys.list shows it only with ``showDeleted=true``; calls with it fail as with any deleted key, and undelete
gives it back its state. Each method needs its own permission on the key's project (``apikeys.keys.<verb>``).

keys.create needs ``apikeys.keys.create`` on the project; a key bound to a service account
(``serviceAccountEmail``: an ``AQ.`` auth key, as AI Studio makes) also needs
``iam.serviceAccountApiKeyBindings.create``, and the organization policy
``iam.managed.disableServiceAccountApiKeyCreation`` refuses it when enforced. Without an account the key is a
standard ``AIza`` key. The new key joins the world: calls with it are judged like any other key's.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import string
import uuid
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...google.access import BIND_KEYS_TO_SERVICE_ACCOUNTS, CLOUD_PLATFORM, CREATE_KEYS
from ...google.org_policy import NO_KEYS_BOUND_TO_SERVICE_ACCOUNTS
from ...google.services import BY_SHORT
from ..admin_common import AdminBackend, iam_denied
from ..content import json_body
from ..errors import GoogleError
from ..registry import EmulatedService
from ..world import ApiKey, Project, Restrictions

SERVICE = BY_SHORT["apikeys"].name
_KEY_ID = re.compile(r"[a-z][a-z0-9-]{0,61}[a-z0-9]")
_KEY_PATH = "/v2/projects/{project}/locations/global/keys/{key_id}"
_PAGE_SIZE = 300  # the most keys one keys.list page holds (the emulator's choice; Google documents none)


class ApiKeysBackend(AdminBackend):
    service = SERVICE

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.finished: dict[str, dict] = {}  # operation name -> the finished operation
        self.times: dict[
            str, dict[str, str]
        ] = {}  # key name -> createTime/updateTime/deleteTime it was given
        self.before_delete: dict[str, str] = {}  # key name -> its state when deleted (undelete restores it)

    def routes(self) -> list[Route]:
        return [
            Route("/v2/keys:lookupKey", self.lookup, methods=["GET"]),
            Route(_KEY_PATH + ":undelete", self.undelete, methods=["POST"]),
            Route(_KEY_PATH + "/keyString", self.key_string, methods=["GET"]),
            Route(_KEY_PATH, self.get, methods=["GET"]),
            Route(_KEY_PATH, self.patch, methods=["PATCH"]),
            Route(_KEY_PATH, self.delete, methods=["DELETE"]),
            Route("/v2/projects/{project}/locations/global/keys", self.list, methods=["GET"]),
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

    async def list(self, request: Request) -> Response:
        """keys.list: the project's keys without their strings, deleted ones only with ``showDeleted``."""
        token = self.caller(request, "google.api.apikeys.v2.ApiKeys.ListKeys")
        ref = request.path_params["project"]
        project = self.permitted(token, ref, "apikeys.keys.list")
        if project is None:
            raise iam_denied(SERVICE, "apikeys.keys.list", f"projects/{ref}/locations/global")
        query = request.query_params
        deleted_too = query.get("showDeleted", "").lower() == "true"
        keys = [
            key
            for key in self.world.api_keys
            if self.world.project(key.project) is project and (deleted_too or key.state != "deleted")
        ]
        start, size = _page(query.get("pageToken", ""), query.get("pageSize", ""))
        page = {"keys": [self._shown(key) for key in keys[start : start + size]]}
        if start + size < len(keys):
            page["nextPageToken"] = str(start + size)
        return JSONResponse(page if page["keys"] else {})

    async def get(self, request: Request) -> Response:
        token = self.caller(request, "google.api.apikeys.v2.ApiKeys.GetKey")
        return JSONResponse(self._shown(self._key(request, token, "apikeys.keys.get")))

    async def key_string(self, request: Request) -> Response:
        token = self.caller(request, "google.api.apikeys.v2.ApiKeys.GetKeyString")
        return JSONResponse({"keyString": self._key(request, token, "apikeys.keys.getKeyString").key})

    async def delete(self, request: Request) -> Response:
        """keys.delete: the key is deleted (calls with it fail) but kept 30 days, as Google keeps it."""
        token = self.caller(request, "google.api.apikeys.v2.ApiKeys.DeleteKey", {CLOUD_PLATFORM})
        key = self._key(request, token, "apikeys.keys.delete")
        if key.state != "deleted":
            self.before_delete[key.name] = key.state
            key.state = "deleted"
            self._stamp(key, "deleteTime")
        return self._done(self._shown(key))

    async def undelete(self, request: Request) -> Response:
        """keys.undelete: a deleted key back in the state it had (an active one answers as it is)."""
        token = self.caller(request, "google.api.apikeys.v2.ApiKeys.UndeleteKey", {CLOUD_PLATFORM})
        key = self._key(request, token, "apikeys.keys.undelete")
        if key.state == "deleted":
            key.state = self.before_delete.pop(key.name, "active")
            self.times.get(key.name, {}).pop("deleteTime", None)
            self._stamp(key, "updateTime")
        return self._done(self._shown(key))

    async def patch(self, request: Request) -> Response:
        """keys.patch: the fields named in ``updateMask`` (all of ``restrictions``, or one kind of it) take
        the body's values; the answer is a finished long-running operation holding the key."""
        token = self.caller(request, "google.api.apikeys.v2.ApiKeys.UpdateKey", {CLOUD_PLATFORM})
        key = self._key(request, token, "apikeys.keys.update")
        body = await json_body(request)
        mask = [m.strip() for m in request.query_params.get("updateMask", "").split(",") if m.strip()]
        if (not mask and "displayName" in body) or {"displayName", "display_name"} & set(mask):
            key.display_name = str(body.get("displayName") or "")[:63] or None
        wanted = _asked_restrictions(body)
        current = key_resource(key).get("restrictions", {})
        if (not mask and "restrictions" in body) or "restrictions" in mask:
            current = wanted
        for path in mask:
            kind = _camel(path.removeprefix("restrictions.")) if path.startswith("restrictions.") else None
            if kind is not None and wanted.get(kind):
                current[kind] = wanted[kind]
            elif kind is not None:
                current.pop(kind, None)
        key.restrictions = _restrictions(current)
        self._stamp(key, "updateTime")
        return self._done(self._shown(key))

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
        key_id = request.query_params.get("keyId")
        if key_id is not None and (
            not _KEY_ID.fullmatch(key_id)
            or any(k.name.endswith(f"/keys/{key_id}") for k in self.world.api_keys)
        ):
            raise GoogleError("INVALID_ARGUMENT", f"Invalid or already used key ID: {key_id[:70]}.")
        key_id = key_id or str(uuid.uuid4())  # without a keyId, Google names the key by its uid
        prefix, length = ("AQ.", 53) if account else ("AIza", 39)
        alphabet = string.ascii_letters + string.digits + "-_"
        key = ApiKey(
            key=prefix + "".join(secrets.choice(alphabet) for _ in range(length - len(prefix))),
            name=f"projects/{project.number}/locations/global/keys/{key_id}",
            project=project.id,
            restrictions=_restrictions(_asked_restrictions(body)),
            kind="auth" if account else "standard",
            service_account=account,
            display_name=str(body.get("displayName") or "")[:63] or None,
        )
        self.world.api_keys.append(key)
        self._stamp(key, "createTime")
        return self._done({**self._shown(key), "keyString": key.key})

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

    def _stamp(self, key: ApiKey, field: str) -> None:
        """Record now as *field* of *key* (a new key's createTime is its updateTime too)."""
        now = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        times = self.times.setdefault(key.name, {})
        times.update({field: now, **({"updateTime": now} if field == "createTime" else {})})

    def _shown(self, key: ApiKey) -> dict:
        """The Key resource with the times this emulator gave it (a world's deleted key: deleted on today)."""
        times = dict(self.times.get(key.name, {}))
        if key.state == "deleted" and "deleteTime" not in times:
            times["deleteTime"] = f"{self.world.today.isoformat()}T00:00:00Z"
        return {**key_resource(key), **times}

    def _done(self, key: dict) -> Response:
        """A mutation's answer: the finished operation holding *key*, kept for operations.get."""
        self.counters.mutations += 1
        number = key["name"].split("/")[1]  # projects/NUMBER/locations/global/keys/ID
        name = f"operations/akmf.p7-{number}-{uuid.uuid4()}"
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
    key_id = key.name.rsplit("/", 1)[-1]
    out = {"name": key.name, "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, key.name))}
    if _is_uuid(key_id):
        out["uid"] = key_id  # a key created without a keyId is named by its uid
    if key.display_name:
        out["displayName"] = key.display_name
    if key.service_account:
        out["serviceAccountEmail"] = key.service_account
    rules = key.restrictions
    if rules is not None:
        restrictions: dict = {}
        if rules.api_targets:
            restrictions["apiTargets"] = [
                {"service": s, **({"methods": rules.api_methods[s]} if rules.api_methods.get(s) else {})}
                for s in rules.api_targets
            ]
        if rules.referrers:
            restrictions["browserKeyRestrictions"] = {"allowedReferrers": rules.referrers}
        if rules.ips:
            restrictions["serverKeyRestrictions"] = {"allowedIps": rules.ips}
        if rules.android_apps:
            restrictions["androidKeyRestrictions"] = {
                "allowedApplications": [
                    {
                        **(
                            {"sha1Fingerprint": rules.android_fingerprints[p]}
                            if p in rules.android_fingerprints
                            else {}
                        ),
                        "packageName": p,
                    }
                    for p in rules.android_apps
                ]
            }
        if rules.ios_bundles:
            restrictions["iosKeyRestrictions"] = {"allowedBundleIds": rules.ios_bundles}
        out["restrictions"] = restrictions
    digest = hashlib.sha256(json.dumps([out, key.state], sort_keys=True).encode()).digest()[:16]
    out["etag"] = f'W/"{base64.b64encode(digest).decode()}"'  # changes whenever the key does
    return out


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _page(token: str, size: str) -> tuple[int, int]:
    """keys.list's page: where it starts (the page token is an offset) and how many keys it holds."""
    start = int(token) if token.isdigit() else 0
    wanted = int(size) if size.isdigit() else 0
    return start, min(wanted, _PAGE_SIZE) if wanted > 0 else _PAGE_SIZE


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def _restrictions(shown: dict) -> Restrictions | None:
    """The world's restrictions from the API's shape (the inverse of :func:`key_resource`); a shape that is
    not Google's is refused as Google refuses a malformed field."""
    if not shown:
        return None
    try:
        targets = shown.get("apiTargets") or []
        apps = (shown.get("androidKeyRestrictions") or {}).get("allowedApplications") or []
        return Restrictions(
            api_targets=[str(t.get("service", "")) for t in targets],
            api_methods={t["service"]: _listed(t["methods"]) for t in targets if t.get("methods")},
            referrers=_listed((shown.get("browserKeyRestrictions") or {}).get("allowedReferrers", [])),
            ips=_listed((shown.get("serverKeyRestrictions") or {}).get("allowedIps", [])),
            android_apps=[str(a.get("packageName", "")) for a in apps],
            android_fingerprints={
                a["packageName"]: str(a["sha1Fingerprint"]) for a in apps if a.get("sha1Fingerprint")
            },
            ios_bundles=_listed((shown.get("iosKeyRestrictions") or {}).get("allowedBundleIds", [])),
        )
    except (AttributeError, KeyError, TypeError):
        raise _malformed_restrictions() from None


def _listed(value) -> list[str]:
    """A repeated string field of the restrictions, its items as text; not a list (a string would be read
    letter by letter) is refused as Google refuses it."""
    if not isinstance(value, list):
        raise _malformed_restrictions()
    return [str(item) for item in value]


def _asked_restrictions(body: dict) -> dict:
    """The request's ``restrictions`` (absent or null: none), refused unless it is an object."""
    asked = body.get("restrictions")
    if asked is None:
        return {}
    if not isinstance(asked, dict):
        raise _malformed_restrictions()
    return asked


def _malformed_restrictions() -> GoogleError:
    return GoogleError(
        "INVALID_ARGUMENT",
        "Invalid value at 'key.restrictions' (type.googleapis.com/google.api.apikeys.v2.Restrictions)",
    )


EMULATED = EmulatedService(SERVICE, ApiKeysBackend)
