"""{permission} granted

Resource Manager testIamPermissions on the configured project: does the caller hold the permission a Vertex AI
call needs?
"""

from __future__ import annotations

from ...google.access import PREDICT
from ..consumer import configured_project_needs
from ..runner import FAIL, OK, Context, Outcome, admin_failure

ORDER = 80
FACTS = {
    "project_unreachable": "the configured project does not exist or the caller cannot see it",
    "predict_not_granted": "the caller lacks aiplatform.endpoints.predict on the project",
}
needs = configured_project_needs


async def held_permissions(ctx: Context, permissions: list[str], who: str) -> set[str] | Outcome:
    """Which of *permissions* the caller holds on the configured project (testIamPermissions), or the outcome
    that says why that is unknown (a project that does not exist or is not visible is a finding)."""
    ref = ctx.setup.project
    reply = await ctx.http.call(
        "POST",
        "cloudresourcemanager",
        f"/v1/projects/{ref}:testIamPermissions",
        token=ctx.token,
        json={"permissions": permissions},
    )
    if reply.status in (403, 404) and not reply.refused_before_the_resource:
        return Outcome(
            FAIL,
            f"project {ref} does not exist or is not visible to {who}",
            facts={"project_unreachable": f"testIamPermissions on {ref} refused for {who}"},
        )
    if not reply.ok:
        return admin_failure(reply, "a working Resource Manager")
    return set(reply.body.get("permissions") or ())


async def run(ctx: Context) -> Outcome:
    ref, who = ctx.setup.project, ctx.setup.principal or "the caller"
    held = await held_permissions(ctx, [PREDICT], who)
    if isinstance(held, Outcome):
        return held
    if PREDICT not in held:
        return Outcome(
            FAIL,
            f"{who} lacks {PREDICT} on {ref}",
            facts={"predict_not_granted": f"{who} lacks {PREDICT} on {ref}"},
        )
    return Outcome(OK, f"{who} holds {PREDICT} on {ref}")
