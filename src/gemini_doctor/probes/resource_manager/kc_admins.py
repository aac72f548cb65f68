"""who may grant the missing role

``check --for key-creation``: when a permission is missing and the caller may not grant it, the project's
getIamPolicy (a read, despite its POST) names the members who may: project owners and IAM admins.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...google.access import GET_IAM_POLICY, SET_PROJECT_POLICY, roles_with
from ..ids import requires
from ..runner import COULD_NOT_CHECK, OK, SKIPPED, Context, Outcome, admin_failure
from ..tokens import token_needs
from . import project_iam_policy

ORDER = 81
PURPOSES = ("key-creation",)
FACTS = {
    "project_iam_admins": "the caller may not grant roles on the project; these members may (project owners "
    "and IAM admins)"
}
needs = token_needs
AFTER = requires("kc_permissions")  # what is missing, and whether the caller may grant it
(PERMISSIONS,) = AFTER
# Who may grant a role on a project: the predefined roles that carry resourcemanager.projects.setIamPolicy.
GRANTING_ROLES = roles_with(SET_PROJECT_POLICY)


@dataclass(frozen=True)
class Admins:
    members: tuple[str, ...]  # IAM members (``user:…``) who may grant the role


async def run(ctx: Context) -> Outcome:
    grant = ctx.result(PERMISSIONS)
    if grant is None:
        return Outcome(SKIPPED, "not needed: no permission is known to be missing")
    if grant.may_grant:
        return Outcome(OK, "you may grant it yourself (resourcemanager.projects.setIamPolicy)")
    ref = ctx.setup.project
    reply = await project_iam_policy(ctx, ctx.token)
    if not reply.ok:
        return admin_failure(reply, f"{GET_IAM_POLICY} (roles/viewer) to name who may grant it")
    admins = sorted(
        {
            m
            for b in reply.body.get("bindings") or ()
            if isinstance(b, dict) and b.get("role") in GRANTING_ROLES and not b.get("condition")
            for m in b.get("members") or ()
            if isinstance(m, str)
        }
    )
    if not admins:
        return Outcome(
            COULD_NOT_CHECK,
            "no project-level owner or IAM admin is listed: ask your organization's administrator",
        )
    line = f"you may not grant roles on {ref}; ask {', '.join(admins)} ({' or '.join(GRANTING_ROLES)})"
    return Outcome(OK, line, facts={"project_iam_admins": line}, result=Admins(tuple(admins)))
