"""denied calls in the audit log

The project's Data Access audit log, read for recent denied Gemini calls: Cloud Logging's ``entries:list``
(read-only) for entries of the last day with status PERMISSION_DENIED on the Gemini API or Agent Platform,
logged before this check began (not the check's own calls). A denial found names the exact permission,
principal, method and time. When none is found, the project's IAM
policy (``getIamPolicy``, read-only) says whether Data Access audit logs are on for the service at all, and
the probe prints how to turn them on when they are off. Every value read back is checked against Google's
syntax before it is shown.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ...evidence.audit_entry import audit_denial
from ...google.access import (
    ALL_SERVICES,
    DATA_ACCESS_LOG_TYPES,
    GET_IAM_POLICY,
    LIST_LOG_ENTRIES,
    data_access_services,
    role_for,
)
from ...google.services import GEMINI_API, VERTEX, service_of
from ...google.syntax import valid
from ..consumer import configured_project_needs
from ..resource_manager import project_iam_policy
from ..runner import COULD_NOT_CHECK, OK, Context, Outcome, admin_failure
from ..tokens import as_admin

ORDER = 90
FACTS = {
    "audit_permission_denied": (
        "the project's audit log records a recent denied Gemini call by the caller, naming the permission"
    )
}
needs = as_admin(configured_project_needs)
LOOKBACK = timedelta(days=1)
PAGE_SIZE = 20
ROLE_NEEDED = f"{role_for(LIST_LOG_ENTRIES)} ({LIST_LOG_ENTRIES})"
POLICY_NEEDS = f"{role_for(GET_IAM_POLICY)} ({GET_IAM_POLICY})"


@dataclass(frozen=True)
class Denials:
    mine: tuple[
        dict, ...
    ]  # the caller's (or unattributed) recent denials, newest first (evidence.audit_entry's form)


def denied_filter(since: datetime) -> str:
    """Cloud Logging's filter for denied Gemini API and Agent Platform calls since *since*."""
    services = " OR ".join(f'"{s.service}"' for s in (GEMINI_API, VERTEX))
    return (
        f'logName:"cloudaudit.googleapis.com" AND protoPayload.status.code=7 AND '
        f'protoPayload.serviceName=({services}) AND timestamp>="{since.strftime("%Y-%m-%dT%H:%M:%SZ")}"'
    )


async def run(ctx: Context) -> Outcome:
    project = ctx.setup.project
    body = {
        "resourceNames": [f"projects/{project}"],
        "filter": denied_filter(datetime.now(UTC) - LOOKBACK),
        "orderBy": "timestamp desc",
        "pageSize": PAGE_SIZE,
    }
    reply = await ctx.http.call("POST", "logging", "/v2/entries:list", token=ctx.admin_probe_token, json=body)
    if not reply.ok:
        return admin_failure(reply, ROLE_NEEDED)
    denials = [d for d in map(audit_denial, reply.body.get("entries") or ()) if d and _before(d, ctx.started)]
    if not denials:
        # no entry means no denial only when Google records denials: an unreadable audit config leaves it open
        status, logged = await data_access_logging(ctx)
        return Outcome(
            status, f"no denied Gemini calls in project {project}'s audit log in the last day; {logged}"
        )
    who = ctx.setup.principal
    mine = tuple(d for d in denials if who is None or d["principal"] in (who, None))
    if not mine:
        return Outcome(OK, f"{len(denials)} denied Gemini calls in the audit log, none by {who}")
    seen = mine[0]
    line = (
        f"audit log, {seen['time'] or 'time unknown'}: {seen['principal'] or 'a caller'} was denied "
        f"{seen['permission'] or 'a permission'} calling {seen['method'] or 'the API'}"
    )
    # a record of the past, not a failure now: its fact is evidence for the verdict when the call fails
    facts = {"audit_permission_denied": line} if seen["permission"] else {}
    return Outcome(OK, line, facts=facts, result=Denials(mine))


def _before(denial: dict, moment: datetime) -> bool:
    """Whether *denial* was logged before *moment* (an unknown time counts as before). One logged after the
    check began is one of the check's own calls: Google's audit log shows none so soon, and leaving them out
    keeps the answer the same whichever probe finishes first."""
    try:
        return datetime.fromisoformat(denial["time"]) < moment
    except (TypeError, ValueError):
        return True


async def data_access_logging(ctx: Context) -> tuple[str, str]:
    """Whether the project's Data Access audit logs are on for the Gemini service (its IAM policy's
    auditConfigs), and how to turn them on when they are off (off by default: then Google records no denial);
    "could not check" when the policy cannot be read."""
    project, service = ctx.setup.project, service_of(ctx.setup.surface)
    reply = await project_iam_policy(ctx, ctx.admin_probe_token)
    if not reply.ok:
        return COULD_NOT_CHECK, (
            f"whether Data Access audit logs are on for {service} is unknown "
            f"({admin_failure(reply, POLICY_NEEDS).summary}); they are off by default, and then "
            "Google records no denial"
        )
    on = data_access_services(reply.body.get("auditConfigs"))
    if service in on or ALL_SERVICES in on:
        return OK, f"Data Access audit logs are on for {service}, so a refused call would be there"
    return OK, (
        f"Data Access audit logs are off for {service}, so Google records no denied call; turn them on "
        "(IAM & Admin > Audit Logs, or as a project IAM admin): "
        f"{enable_data_access_command(project, service)}"
    )


def enable_data_access_command(project: str, service: str) -> str:
    """The shell commands that add Data Access (read and write) audit logs for *service* to *project*'s IAM
    policy. Both values are checked against Google's syntax first; the edit is a fixed program reading the
    policy file."""
    if not valid("project", project) or not valid("service", service):
        return "# gcloud projects get-iam-policy PROJECT_ID ... (the project or service is not a valid name)"
    config = json.dumps(
        {"service": service, "auditLogConfigs": [{"logType": t} for t in DATA_ACCESS_LOG_TYPES]},
        separators=(",", ":"),
    )
    edit = (
        'import json; p = json.load(open("policy.json")); '
        f'p.setdefault("auditConfigs", []).append({config}); '
        'json.dump(p, open("policy.json", "w"))'
    )
    return (
        f"gcloud projects get-iam-policy {shlex.quote(project)} --format=json > policy.json && "
        f"python3 -c {shlex.quote(edit)} && gcloud projects set-iam-policy {shlex.quote(project)} policy.json"
    )
