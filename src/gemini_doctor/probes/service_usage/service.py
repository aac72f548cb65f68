"""{service} enabled

Service Usage services.get on the consumer project: is the service the call needs enabled?
"""

from __future__ import annotations

from ...google.services import service_of
from ..consumer import consumer, consumer_needs
from ..runner import FAIL, OK, Context, Outcome, admin_failure

ORDER = 60
FACTS = {"service_disabled": "the service the call needs is disabled in the consumer project"}
needs = consumer_needs


async def run(ctx: Context) -> Outcome:
    ref, name = consumer(ctx), service_of(ctx.setup.surface)
    reply = await ctx.http.call("GET", "serviceusage", f"/v1/projects/{ref}/services/{name}", token=ctx.token)
    if not reply.ok:
        return admin_failure(reply, "serviceusage.services.get (roles/serviceusage.serviceUsageViewer)")
    if reply.body.get("state") != "ENABLED":
        return Outcome(
            FAIL,
            f"{name} is DISABLED in project {ref}",
            facts={"service_disabled": f"{name} DISABLED in project {ref}"},
        )
    return Outcome(OK, f"{name} is enabled in project {ref}")
