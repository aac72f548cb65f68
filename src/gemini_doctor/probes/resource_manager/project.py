"""the consumer project

Resource Manager projects.get on the consumer project: its ID and number, and whether it is the one the app
is configured for.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...google.access import GET_PROJECT, role_for
from ..consumer import consumer, consumer_needs
from ..runner import COULD_NOT_CHECK, OK, Context, Outcome, admin_failure

ORDER = 50
FACTS = {"key_in_other_project": "the key belongs to another project than the one the app is configured for"}
needs = consumer_needs


@dataclass(frozen=True)
class Project:
    id: str | None
    number: str

    def fill_values(self) -> dict[str, str]:
        """The fix templates' {project}: the real project ID."""
        return {"project": self.id} if self.id else {}


async def run(ctx: Context) -> Outcome:
    ref = consumer(ctx)
    if not ref:
        return Outcome(COULD_NOT_CHECK, "could not check: no project configured (set GOOGLE_CLOUD_PROJECT)")
    reply = await ctx.http.call("GET", "cloudresourcemanager", f"/v3/projects/{ref}", token=ctx.token)
    if not reply.ok:
        return admin_failure(reply, f"{GET_PROJECT} ({role_for(GET_PROJECT)}), or the project does not exist")
    project_id, number = (
        reply.body.get("projectId"),
        str(reply.body.get("name", "")).removeprefix("projects/"),
    )
    facts = {}
    wanted = ctx.setup.project
    if ctx.setup.uses_key and wanted and wanted not in (project_id, number):
        facts["key_in_other_project"] = f"the key belongs to {project_id}, the app is configured for {wanted}"
    return Outcome(
        OK,
        f"project {project_id} (number {number}), {reply.body.get('state', 'ACTIVE').lower()}",
        facts=facts,
        result=Project(project_id, number),
    )
