"""the quota for {model}

The consumer project's generation quota for the model (Service Usage's consumerQuotaMetrics): countTokens
cannot show it, as Google keeps countTokens outside that quota.
"""

from __future__ import annotations

from ...google.access import READ_QUOTAS, role_for
from ...google.services import service_of
from ..consumer import consumer, consumer_needs
from ..runner import FAIL, OK, Context, Outcome, admin_failure

ORDER = 77
FACTS = {
    "quota_limit_zero": (
        "the consumer project's generation quota for the model is 0 (Service Usage's effective limit)"
    )
}
needs = consumer_needs


async def run(ctx: Context) -> Outcome:
    ref, name, model = consumer(ctx), service_of(ctx.setup.surface), ctx.setup.model
    reply = await ctx.http.call(
        "GET",
        "serviceusage",
        f"/v1beta1/projects/{ref}/services/{name}/consumerQuotaMetrics",
        token=ctx.token,
    )
    if not reply.ok:
        return admin_failure(reply, f"{READ_QUOTAS} ({role_for(READ_QUOTAS)})")
    limits = [
        (metric.get("metric", ""), bucket.get("effectiveLimit"))
        for metric in reply.body.get("metrics") or ()
        if isinstance(metric, dict)
        for limit in metric.get("consumerQuotaLimits") or ()
        if isinstance(limit, dict)
        for bucket in limit.get("quotaBuckets") or ()
        if isinstance(bucket, dict) and model in (bucket.get("dimensions") or {}).values()
    ]
    zero = [metric for metric, value in limits if str(value) == "0"]
    if zero:
        return Outcome(
            FAIL,
            f"the quota for {model} is 0 in project {ref} ({zero[0]})",
            facts={"quota_limit_zero": f"{zero[0]} effectiveLimit 0 for {model} in {ref}"},
        )
    shown = ", ".join(f"{'unlimited' if str(value) == '-1' else value} a minute" for _, value in limits)
    return Outcome(OK, f"the quota for {model} in project {ref}: {shown or 'no per-model limit'}")
