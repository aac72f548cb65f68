"""billing

Cloud Billing projects.getBillingInfo on the consumer project; when billing is off, the open billing accounts
the caller may link (billingAccounts.list), so the fix can name one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..consumer import consumer, consumer_needs
from ..runner import FAIL, OK, Context, Outcome, admin_failure

ORDER = 70
FACTS = {
    "billing_disabled": "the consumer project has a billing account that is disabled (or none, on Vertex AI)"
}
needs = consumer_needs


@dataclass(frozen=True)
class BillingOff:
    open_accounts: tuple[str, ...]  # the open billing accounts the caller may link

    def fill_values(self) -> dict[str, str]:
        """The fix templates' {billing_account}: only when there is exactly one to link (several: the user
        picks)."""
        return {"billing_account": self.open_accounts[0]} if len(self.open_accounts) == 1 else {}


async def run(ctx: Context) -> Outcome:
    ref = consumer(ctx)
    reply = await ctx.http.call("GET", "cloudbilling", f"/v1/projects/{ref}/billingInfo", token=ctx.token)
    if not reply.ok:
        return admin_failure(reply, "resourcemanager.projects.get on the project (roles/viewer)")
    if reply.body.get("billingEnabled"):
        return Outcome(OK, f"billing is enabled for project {ref}")
    if reply.body.get("billingAccountName") or ctx.setup.surface == "vertex":
        accounts = await _open_accounts(ctx)
        listed = f"; open billing accounts you may link: {', '.join(accounts)}" if accounts else ""
        return Outcome(
            FAIL,
            f"billing is not enabled for project {ref}{listed}",
            facts={"billing_disabled": f"billingEnabled false for {ref}"},
            result=BillingOff(accounts),
        )
    return Outcome(OK, f"no billing account on project {ref}: free tier only")


async def _open_accounts(ctx: Context) -> tuple[str, ...]:
    """The open billing accounts the caller may link; () when it cannot tell."""
    reply = await ctx.http.call(
        "GET", "cloudbilling", "/v1/billingAccounts", token=ctx.token, params={"filter": "open=true"}
    )
    if not reply.ok:
        return ()
    return tuple(
        str(a.get("name", "")).removeprefix("billingAccounts/")
        for a in reply.body.get("billingAccounts", [])
        if a.get("open")
    )
