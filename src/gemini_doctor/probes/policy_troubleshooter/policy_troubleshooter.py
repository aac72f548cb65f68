"""why IAM refused (Policy Troubleshooter)

Why IAM refused the caller: a deny policy, or no binding at all. Runs only after an IAM denial (the target
call refused with IAM_PERMISSION_DENIED, or testIamPermissions without the permission). With the denial's
``error_info_id`` it asks v3beta ``iam:troubleshootError``; otherwise (or when Google no longer knows the ID)
v3 ``iam:troubleshoot`` for the principal, permission and project. Both only read. What Google answers is
shown only when it is in Google's syntax for its kind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ...google.access import GET_DENY_POLICIES, GET_IAM_POLICY, PREDICT, role_for
from ...google.services import project_resource
from ...google.syntax import valid
from ..consumer import configured_project_needs
from ..ids import requires
from ..runner import COULD_NOT_CHECK, OK, SKIPPED, Context, Outcome, admin_failure
from ..tokens import as_admin

ORDER = 95
FACTS = {
    "iam_deny_policy": "Policy Troubleshooter says an IAM deny policy refuses the permission to the caller "
    "(a role grant cannot help)",
    "iam_binding_missing": "Policy Troubleshooter says no role binding gives the caller the permission, and "
    "no deny policy refuses it",
}
AFTER = requires("iam", "call_target")  # whether IAM refused: the permission check and the app's own call
IAM, TARGET = AFTER
needs = as_admin(configured_project_needs)
ROLE_NEEDED = f"{role_for(GET_IAM_POLICY)} and {role_for(GET_DENY_POLICIES)} on the project"
DENIED, NOT_DENIED = "DENY_ACCESS_STATE_DENIED", "DENY_ACCESS_STATE_NOT_DENIED"
GRANTED, NOT_GRANTED = "ALLOW_ACCESS_STATE_GRANTED", "ALLOW_ACCESS_STATE_NOT_GRANTED"


@dataclass(frozen=True)
class DenyPolicy:
    name: str | None  # the deny policy's ID, when Google named one in its syntax

    def fill_values(self) -> dict[str, str]:
        """The fix templates' {deny_policy}."""
        return {"deny_policy": self.name} if self.name else {}


async def run(ctx: Context) -> Outcome:
    denial = iam_denial(ctx)
    who, project = ctx.setup.principal, ctx.setup.project
    if denial is None or not valid("email", who) or not valid("project", project):
        return Outcome(SKIPPED, "no IAM denial to explain")
    permission, error_id = denial
    reply = None
    if error_id:
        reply = await ctx.http.call(
            "POST",
            "policytroubleshooter",
            "/v3beta/iam:troubleshootError",
            token=ctx.admin_probe_token,
            json={"errorInfoId": error_id},
        )
    # no ID, or one Google no longer (or not yet) knows: ask by tuple
    if reply is None or reply.status == 404:
        tuple_ = {
            "principal": who,
            "permission": permission,
            "fullResourceName": project_resource(project),
        }
        reply = await ctx.http.call(
            "POST",
            "policytroubleshooter",
            "/v3/iam:troubleshoot",
            token=ctx.admin_probe_token,
            json={"accessTuple": tuple_},
        )
    if not reply.ok:
        return admin_failure(reply, ROLE_NEEDED)
    return read_explanation(reply.body, who, permission, project)


def iam_denial(ctx: Context) -> tuple[str, str | None] | None:
    """(permission, error ID or None) of the IAM denial this check saw, or None when it saw none."""
    target = ctx.outcomes.get(TARGET)
    info = _iam_error_info(target.error_text) if target and target.error_text else None
    if info is not None:
        permission, error_id = info.get("permission"), info.get("error_info_id")
        return (
            permission if valid("permission", permission) else PREDICT,
            error_id if valid("error_info_id", error_id) else None,
        )
    iam = ctx.outcomes.get(IAM)
    return (PREDICT, None) if iam and "predict_not_granted" in iam.facts else None


def _iam_error_info(text: str) -> dict | None:
    """The metadata of the IAM_PERMISSION_DENIED ErrorInfo in Google's error body *text*, if any."""
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        return None
    body = body[0] if isinstance(body, list) and body else body
    error = body.get("error") if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    info = next(
        (d for d in details or () if isinstance(d, dict) and d.get("reason") == "IAM_PERMISSION_DENIED"), None
    )
    meta = info.get("metadata") if info else None
    return meta if isinstance(meta, dict) else None


def read_explanation(body: dict, who: str, permission: str, project: str) -> Outcome:
    """What Policy Troubleshooter's answer says about *who* and *permission*: a deny policy, a missing
    binding, or access."""
    deny = body.get("denyPolicyExplanation") if isinstance(body.get("denyPolicyExplanation"), dict) else {}
    allow = body.get("allowPolicyExplanation") if isinstance(body.get("allowPolicyExplanation"), dict) else {}
    overall = str(body.get("overallAccessState", "")).removeprefix("OVERALL_ACCESS_STATE_")
    if deny.get("denyAccessState") == DENIED:
        names = denying_policies(deny)
        named = f"the deny policy {names[0]}" if names else "a deny policy"
        line = f"{named} on project {project} refuses {permission} to {who}, whatever roles it holds"
        return Outcome(
            OK, line, facts={"iam_deny_policy": line}, result=DenyPolicy(names[0] if names else None)
        )
    if allow.get("allowAccessState") == NOT_GRANTED:
        roles = held_roles(allow)
        held = f" (its roles there: {', '.join(roles)}; none carries it)" if roles else ""
        line = f"no role binding on project {project} gives {who} {permission}{held}"
        return Outcome(OK, line, facts={"iam_binding_missing": line})
    if overall == "CAN_ACCESS":
        return Outcome(
            OK,
            f"{who} may use {permission} on {project} now (IAM changes take a "
            "minute or two to reach every server)",
        )
    return Outcome(
        COULD_NOT_CHECK,
        f"could not check (needs {ROLE_NEEDED}): the caller may not read every policy that applies",
    )


def denying_policies(deny: dict) -> list[str]:
    """The IDs of the deny policies Google says deny, each in Google's syntax for a policy ID."""
    names = []
    for resource in deny.get("explainedResources") or ():
        for explained in (resource.get("explainedPolicies") or ()) if isinstance(resource, dict) else ():
            if isinstance(explained, dict) and explained.get("denyAccessState") == DENIED:
                name = str((explained.get("policy") or {}).get("name", "")).rsplit("/", 1)[-1]
                if valid("deny_policy", name) and name not in names:
                    names.append(name)
    return names


def held_roles(allow: dict) -> list[str]:
    """The roles whose bindings include the principal (Google's membership match), each a valid role name."""
    roles = []
    for policy in allow.get("explainedPolicies") or ():
        for binding in (policy.get("bindingExplanations") or ()) if isinstance(policy, dict) else ():
            member = (
                (binding.get("combinedMembership") or {}).get("membership")
                if isinstance(binding, dict)
                else None
            )
            role = binding.get("role") if isinstance(binding, dict) else None
            if member == "MEMBERSHIP_MATCHED" and valid("role", role) and role not in roles:
                roles.append(role)
    return roles
