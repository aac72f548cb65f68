"""the project and its state

``check --for key-creation``: Resource Manager projects.get on --project: it exists, and it is ACTIVE (a
project scheduled for deletion takes no keys).
"""

from __future__ import annotations

from ...google.access import GET_PROJECT, role_for
from ..runner import FAIL, OK, Context, Outcome, admin_failure
from ..tokens import token_needs

ORDER = 51
PURPOSES = ("key-creation",)
FACTS = {
    "project_not_active": "the project is not ACTIVE (scheduled for deletion): no key can be created in it"
}
needs = token_needs


async def run(ctx: Context) -> Outcome:
    ref = ctx.setup.project
    reply = await ctx.http.call("GET", "cloudresourcemanager", f"/v3/projects/{ref}", token=ctx.token)
    if not reply.ok:
        return admin_failure(
            reply,
            f"{GET_PROJECT} ({role_for(GET_PROJECT)}), or the project does not exist",
        )
    state, parent = str(reply.body.get("state") or "ACTIVE"), reply.body.get("parent")
    where = f", under {parent}" if isinstance(parent, str) and parent else ""
    line = (
        f"project {reply.body.get('projectId') or ref} (number "
        f"{str(reply.body.get('name', '')).removeprefix('projects/')}), {state}{where}"
    )
    if state != "ACTIVE":
        return Outcome(
            FAIL,
            f"{line}: keys can only be created in an active project",
            facts={"project_not_active": f"project {ref} is {state}, not ACTIVE"},
        )
    return Outcome(OK, line)
