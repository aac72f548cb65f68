"""The audit-log probe: the project's Data Access audit log, read for recent denied Gemini calls.

Cloud Logging's ``entries:list`` (read-only) for entries of the last day with status PERMISSION_DENIED
on the Gemini API or Agent Platform. A denial found names the exact permission, principal, method and
time. Every value read back is checked against Google's syntax before it is shown.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from ..engine.syntax import valid
from ..google.services import GEMINI_API, VERTEX
from .runner import OK, Context, Outcome, admin_failure

LOOKBACK = timedelta(days=1)
PAGE_SIZE = 20
NEEDS = "roles/logging.viewer (logging.logEntries.list)"
_METHOD = re.compile(r"[A-Za-z][\w.]{0,200}")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z")


def denied_filter(since: datetime) -> str:
    """Cloud Logging's filter for denied Gemini API and Agent Platform calls since *since*."""
    services = " OR ".join(f'"{s.service}"' for s in (GEMINI_API, VERTEX))
    return (f'logName:"cloudaudit.googleapis.com" AND protoPayload.status.code=7 AND '
            f'protoPayload.serviceName=({services}) AND timestamp>="{since.strftime("%Y-%m-%dT%H:%M:%SZ")}"')


async def audit_denials(ctx: Context) -> Outcome:
    project = ctx.setup.project
    body = {"resourceNames": [f"projects/{project}"], "filter": denied_filter(datetime.now(UTC) - LOOKBACK),
            "orderBy": "timestamp desc", "pageSize": PAGE_SIZE}
    reply = await ctx.http.call("POST", "logging", "/v2/entries:list", token=ctx.token, json=body)
    if not reply.ok:
        return admin_failure(reply, NEEDS)
    denials = [d for d in map(_denial, reply.body.get("entries") or ()) if d]
    if not denials:
        return Outcome(OK, f"no denied Gemini calls in project {project}'s audit log in the last day (Data Access audit "
                           "logs are off by default: turn them on for the service under IAM & Admin > Audit Logs)")
    who = ctx.setup.principal
    mine = [d for d in denials if who is None or d["principal"] in (who, None)]
    if not mine:
        return Outcome(OK, f"{len(denials)} denied Gemini calls in the audit log, none by {who}")
    seen = mine[0]
    line = (f"audit log, {seen['time'] or 'time unknown'}: {seen['principal'] or 'a caller'} was denied "
            f"{seen['permission'] or 'a permission'} calling {seen['method'] or 'the API'}")
    # a record of the past, not a failure now: its fact is evidence for the verdict when the call fails
    if not seen["permission"]:
        return Outcome(OK, line, data={"denials": mine})
    return Outcome(OK, line, facts={"audit_permission_denied": line}, data={"denials": mine})


def _denial(entry: object) -> dict | None:
    """What one audit entry says, each value kept only when it is in Google's syntax for its kind."""
    payload = entry.get("protoPayload") if isinstance(entry, dict) else None
    if not isinstance(payload, dict):
        return None
    denied = [a for a in payload.get("authorizationInfo") or () if isinstance(a, dict) and a.get("granted") is False]
    permission = denied[0].get("permission") if denied else None
    principal = (payload.get("authenticationInfo") or {}).get("principalEmail")
    method, time = payload.get("methodName"), entry.get("timestamp")
    return {"permission": permission if valid("permission", permission) else None,
            "principal": principal if valid("email", principal) else None,
            "method": method if isinstance(method, str) and _METHOD.fullmatch(method) else None,
            "time": time if isinstance(time, str) and _TIMESTAMP.fullmatch(time) else None}
