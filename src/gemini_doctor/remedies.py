"""Safe, reversible remedies for a check verdict: plan them, show the exact change, apply, count.

Only these causes have one: service_disabled (enable the API), iam_permission_missing (grant
roles/aiplatform.user to the exact principal, by read-modify-write of the policy with its etag),
api_key_api_restricted (add the API the app calls to the key's API restrictions, keeping every other
target), quota_project_missing (set the ADC quota project, keeping a backup), and a service-account key
file readable by others (chmod 600). Everything else gets its steps printed, never guessed at.

A remedy is a planner registered under its cause ID with :func:`remedy_for`. The cause IDs and probe IDs
named here are checked against the catalogue and the probe registry when this module loads.
"""

from __future__ import annotations

import asyncio
import json
import re
import stat
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from .catalogue import require_causes
from .google.access import (
    ENABLE_SERVICES,
    GET_IAM_POLICY,
    PREDICT,
    SET_PROJECT_POLICY,
    UPDATE_KEYS,
    member_of,
    role_carrying,
    role_for,
)
from .google.services import service_of
from .google.syntax import valid
from .probes.discovery import KEY_FILE_READABLE
from .probes.ids import require_probes
from .probes.transport import GoogleHttp
from .safefiles import FileRefused, make_private, read_bytes, write_atomic

SERVICE_DISABLED, IAM_PERMISSION_MISSING, QUOTA_PROJECT_MISSING, API_KEY_API_RESTRICTED = require_causes(
    ("service_disabled", "iam_permission_missing", "quota_project_missing", "api_key_api_restricted"),
    "remedies.py",
)
# the probes whose results name the project to act on
PROJECT, KEY_LOOKUP = require_probes("project", "key_lookup", where="remedies.py")
VERTEX_ROLE = role_for(PREDICT)
POLICY_RETRIES = 5
_OPERATION = re.compile(
    r"operations/[A-Za-z0-9._:-]{1,200}"
)  # a long-running operation's name, as Google gives it


class RemedyDenied(Exception):
    """The identity applying the remedy lacks permission; the message names the role that would."""


@dataclass
class Remedy:
    cause: str
    change: list[str]  # the exact change, for the user to approve
    mutations: int  # Google-side writes it makes (0 for local files)
    apply: object = field(repr=False)  # async (http, token) -> str


# A planner: (check result, admin token, http) -> the remedy (None when nothing needs changing), or a
# note on why there is none.
Planner = Callable[[object, "str | None", GoogleHttp], Awaitable["Remedy | str | None"]]
PLANNERS: dict[str, Planner] = {}


def remedy_for(cause_id: str) -> Callable[[Planner], Planner]:
    """Register the decorated planner as the remedy for *cause_id*."""

    def register(planner: Planner) -> Planner:
        if cause_id in PLANNERS:
            raise ValueError(f"two remedies for {cause_id}")
        PLANNERS[cause_id] = planner
        return planner

    return register


async def plan(result, admin_token: str | None, http: GoogleHttp) -> tuple[list[Remedy], list[str]]:
    """Remedies for the verdict and the traps, and notes on what cannot be fixed automatically."""
    remedies, notes = [], []
    top = result.diagnosis.top.cause.id if result.diagnosis is not None and not result.healthy else None
    planner = PLANNERS.get(top)
    if planner is not None:
        planned = await planner(result, admin_token, http)
        (notes if isinstance(planned, str) else remedies).append(planned)
    elif top is not None:
        notes.append(f"{top} has no safe automatic remedy: follow the steps above")
    if any(trap.id == KEY_FILE_READABLE for trap in result.setup.traps):
        remedies.append(_chmod(result.setup.credential_file))
    return [r for r in remedies if r is not None], notes


@remedy_for(SERVICE_DISABLED)
async def _plan_enable(result, admin_token: str | None, http: GoogleHttp) -> Remedy | str:
    project = _project_id(result)
    if not valid("project", project):
        return "cannot enable the API: the project is unknown, or what Google named is not a valid project ID"
    return _enable(project, service_of(result.setup.surface))


@remedy_for(IAM_PERMISSION_MISSING)
async def _plan_grant(result, admin_token: str | None, http: GoogleHttp) -> Remedy | str | None:
    setup = result.setup
    if not setup.principal or not setup.project:
        return "cannot grant the role: the principal or project is unknown"
    member = member_of(setup.principal)
    if not valid("project", setup.project) or not valid("principal", member):
        return "cannot grant the role: the project ID or the principal is not valid"
    return await _grant_plan(http, admin_token, setup.project, member)


@remedy_for(API_KEY_API_RESTRICTED)
async def _plan_key_target(result, admin_token: str | None, http: GoogleHttp) -> Remedy | str | None:
    lookup = result.outcomes.get(KEY_LOOKUP)
    path = _key_path(lookup.result.name if lookup is not None and lookup.result is not None else None)
    if path is None:
        return "cannot change the key's restrictions: API Keys did not name the key"
    service = service_of(result.setup.surface)
    targets = _api_targets(await _read_key(http, admin_token, path))
    if _with_target(targets, service) == targets:
        return None
    key_id = path.rsplit("/", 1)[1]

    async def apply(http: GoogleHttp, token: str) -> str:
        wanted = _with_target(_api_targets(await _read_key(http, token, path)), service)
        reply = await http.call(
            "PATCH",
            "apikeys",
            f"/v2/{path}",
            token=token,
            params={"updateMask": "restrictions.api_targets"},
            json={"restrictions": {"apiTargets": wanted}},
        )
        if reply.status in (401, 403):
            raise RemedyDenied(f"you may not change key {key_id}: needs {role_carrying([UPDATE_KEYS])}")
        if not reply.ok:
            raise RemedyDenied(f"keys.patch failed: HTTP {reply.status} {_error_message(reply.body)}")
        await _finished(http, token, "apikeys", "v2", reply.body)
        return f"key {key_id} may now call {service}"

    listed = next((t for t in targets if t.get("service") == service), None)
    change = (
        f"  {service}: every method (was: {', '.join(listed.get('methods', []))})"
        if listed
        else f"  + {service}"
    )
    return Remedy(
        API_KEY_API_RESTRICTED,
        [
            f"API restrictions of key {key_id}:",
            change,
            "  (every other API target and the key's application restrictions are kept)",
        ],
        1,
        apply,
    )


async def _finished(http: GoogleHttp, token: str, api: str, version: str, operation: dict) -> bool:
    """Wait (30 s at most) for the long-running *operation* a mutation of *api* (its REST *version*) answered
    with, asking after 0.25 s, then twice as long each time up to every second (many finish at once); False
    when the answer named no operation to wait on."""
    name = operation.get("name")
    if not isinstance(name, str) or not _OPERATION.fullmatch(name):
        return False
    delay, waited = 0.25, 0.0
    while operation.get("done") is not True and waited < 30:
        await asyncio.sleep(delay)
        waited += delay
        delay = min(delay * 2, 1.0)
        operation = (await http.call("GET", api, f"/{version}/{name}", token=token)).body
    return True


def _key_path(name: str | None) -> str | None:
    """*name* (``projects/P/locations/global/keys/ID``, as lookupKey gave it) when each part is valid."""
    parts = str(name or "").split("/")
    if len(parts) != 6 or parts[0::2] != ["projects", "locations", "keys"] or parts[3] != "global":
        return None
    return name if valid("project", parts[1]) and valid("key_id", parts[5]) else None


async def _read_key(http: GoogleHttp, token: str | None, path: str) -> dict:
    reply = await http.call("GET", "apikeys", f"/v2/{path}", token=token)
    if reply.status in (401, 403):
        raise RemedyDenied(
            "you may not read the key: needs roles/serviceusage.apiKeysAdmin (or apiKeysViewer to look)"
        )
    if not reply.ok:
        raise RemedyDenied(f"keys.get failed: HTTP {reply.status}")
    return reply.body


def _api_targets(key: dict) -> list[dict]:
    """The key's API targets, each {service, methods?}; anything else is refused, never written back."""
    restrictions = key.get("restrictions") or {}
    targets = restrictions.get("apiTargets") or [] if isinstance(restrictions, dict) else None
    if not isinstance(targets, list) or not all(map(_readable_target, targets)):
        raise RemedyDenied("keys.get answered with API targets that could not be read; nothing was changed")
    return targets


def _readable_target(target) -> bool:
    """Whether *target* is an API target as Google shapes it: a service name and a list of method names."""
    if not isinstance(target, dict) or not isinstance(target.get("service"), str):
        return False
    methods = target.get("methods", [])
    return isinstance(methods, list) and all(isinstance(method, str) for method in methods)


def _with_target(targets: list[dict], service: str) -> list[dict]:
    """*targets* letting the key call every method of *service*, the others as they are (an unrestricted
    key stays unrestricted)."""
    entry = {"service": service}
    if not targets:
        return targets
    if all(t["service"] != service for t in targets):
        return [*targets, entry]
    return [entry if t["service"] == service else t for t in targets]


@remedy_for(QUOTA_PROJECT_MISSING)
async def _plan_quota_project(result, admin_token: str | None, http: GoogleHttp) -> Remedy | str | None:
    setup = result.setup
    if not setup.credential_file or not setup.project:
        return (
            "cannot set the quota project: give --project (or GOOGLE_CLOUD_PROJECT) and use a user ADC file"
        )
    return _set_quota_project(setup.credential_file, setup.project)


async def apply_all(
    remedies: list[Remedy], http: GoogleHttp, token: str | None, done: list[str]
) -> list[str]:
    """Apply in order, adding what each did to *done*; stop at the first refusal (RemedyDenied says which
    role would do, FileRefused what was kept), with *done* telling what was applied before it."""
    for remedy in remedies:
        done.append(await remedy.apply(http, token))
    return done


def verify(recheck, deadline_s: float, on_attempt=None):
    """Re-run check with backoff until healthy or the deadline; propagation delay is normal, not failure."""
    start, delay, attempt = time.monotonic(), 1.0, 0
    while True:
        attempt += 1
        result = recheck()
        if on_attempt:
            on_attempt(attempt, result, time.monotonic() - start)
        if result.healthy or time.monotonic() - start + delay > deadline_s:
            return result, attempt, time.monotonic() - start
        time.sleep(delay)
        delay = min(delay * 2, 15.0)


def _enable(project: str, service: str) -> Remedy:
    async def apply(http: GoogleHttp, token: str) -> str:
        reply = await http.call(
            "POST", "serviceusage", f"/v1/projects/{project}/services/{service}:enable", token=token, json={}
        )
        if reply.status in (401, 403):
            raise RemedyDenied(
                f"you may not enable services in {project}: needs {role_for(ENABLE_SERVICES)} (or "
                "roles/editor)"
            )
        if not reply.ok:
            raise RemedyDenied(f"enable failed: HTTP {reply.status} {_error_message(reply.body)}")
        if not await _finished(http, token, "serviceusage", "v1", reply.body):
            return f"asked Google to enable {service} in {project} (its answer named no operation to wait on)"
        return f"enabled {service} in {project}"

    return Remedy(
        SERVICE_DISABLED,
        [f"enable {service} in project {project} (Service Usage services.enable)"],
        1,
        apply,
    )


async def _grant_plan(http: GoogleHttp, token: str | None, project: str, member: str) -> Remedy | None:
    policy = await _read_policy(http, token, project)
    if _has(policy, member):
        return None

    async def apply(http: GoogleHttp, token: str) -> str:
        for _ in range(POLICY_RETRIES):
            current = await _read_policy(http, token, project)
            if _has(current, member):
                return f"{member} already holds {VERTEX_ROLE}"
            reply = await http.call(
                "POST",
                "cloudresourcemanager",
                f"/v1/projects/{project}:setIamPolicy",
                token=token,
                json={"policy": _with_member(current, member)},
            )
            if reply.status == 409:  # someone else wrote first: re-read and try again
                continue
            if reply.status in (401, 403):
                raise RemedyDenied(
                    f"you may not change IAM on {project}: needs {role_for(SET_PROJECT_POLICY)}"
                )
            if not reply.ok:
                raise RemedyDenied(f"setIamPolicy failed: HTTP {reply.status}")
            return f"granted {VERTEX_ROLE} to {member} on {project}"
        raise RemedyDenied("the IAM policy kept changing under us; try again")

    return Remedy(
        IAM_PERMISSION_MISSING,
        [
            f"IAM policy of project {project}:",
            f"  + {VERTEX_ROLE}: {member}",
            "  (every existing binding and condition is kept; policy version 3, etag checked)",
        ],
        1,
        apply,
    )


async def _read_policy(http: GoogleHttp, token: str | None, project: str) -> dict:
    reply = await http.call(
        "POST",
        "cloudresourcemanager",
        f"/v1/projects/{project}:getIamPolicy",
        token=token,
        json={"options": {"requestedPolicyVersion": 3}},
    )
    if reply.status in (401, 403):
        raise RemedyDenied(
            f"you may not read IAM on {project}: needs {role_for(SET_PROJECT_POLICY)} (or "
            f"{role_for(GET_IAM_POLICY)} to look)"
        )
    if not reply.ok:
        raise RemedyDenied(f"getIamPolicy failed: HTTP {reply.status}")
    if not _readable_policy(reply.body):  # never write back a policy we could not read whole
        raise RemedyDenied("getIamPolicy answered with a policy that could not be read; nothing was changed")
    return reply.body


def _readable_policy(policy: dict) -> bool:
    """Bindings are a list of {role: str, members: [str], ...}: the shape the grant reads and writes."""
    bindings = policy.get("bindings", [])
    return isinstance(bindings, list) and all(
        isinstance(b, dict)
        and isinstance(b.get("role"), str)
        and isinstance(b.get("members", []), list)
        and all(isinstance(m, str) for m in b.get("members", []))
        for b in bindings
    )


def _error_message(body: dict) -> str:
    error = body.get("error")
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) else ""


def _has(policy: dict, member: str) -> bool:
    return any(
        b.get("role") == VERTEX_ROLE and "condition" not in b and member in b.get("members", [])
        for b in policy.get("bindings", [])
    )


def _with_member(policy: dict, member: str) -> dict:
    """The policy plus one member on the unconditional aiplatform.user binding; nothing else changes."""
    bindings = [dict(b, members=list(b.get("members", []))) for b in policy.get("bindings", [])]
    target = next((b for b in bindings if b.get("role") == VERTEX_ROLE and "condition" not in b), None)
    if target is None:
        bindings.append({"role": VERTEX_ROLE, "members": [member]})
    else:
        target["members"].append(member)
    return {**policy, "version": 3, "bindings": bindings}


def _set_quota_project(adc: Path, project: str) -> Remedy | None:
    try:
        planned = read_bytes(adc)
        info = json.loads(planned)
    except (FileRefused, ValueError):
        return None
    if not isinstance(info, dict) or info.get("quota_project_id") == project:
        return None

    async def apply(http: GoogleHttp, token: str) -> str:
        updated = json.dumps(dict(info, quota_project_id=project), indent=2).encode() + b"\n"
        backup = write_atomic(adc, updated, expected=planned, keep_backup=True)
        return f"set quota_project_id={project} in {adc} (backup: {backup})"

    return Remedy(
        QUOTA_PROJECT_MISSING,
        [
            f"{adc}: set quota_project_id to {project}",
            "  (as gcloud auth application-default set-quota-project; a backup is kept beside it)",
        ],
        0,
        apply,
    )


def _chmod(path: Path) -> Remedy | None:
    try:
        mode = stat.S_IMODE(path.lstat().st_mode)
    except OSError:
        return None
    if not mode & 0o077:
        return None

    async def apply(http: GoogleHttp, token: str) -> str:
        make_private(path)
        return f"chmod 600 {path}"

    return Remedy(KEY_FILE_READABLE, [f"chmod 600 {path} (now {mode:o})"], 0, apply)


def _project_id(result) -> str | None:
    project = result.outcomes.get(PROJECT)
    if project is not None and project.result is not None and project.result.id:
        return project.result.id
    lookup = result.outcomes.get(KEY_LOOKUP)
    if result.setup.uses_key and lookup is not None and lookup.result is not None and lookup.result.project:
        return lookup.result.project
    return result.setup.project


require_causes(PLANNERS, "remedies.py")
