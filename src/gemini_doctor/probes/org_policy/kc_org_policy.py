"""org policy iam.managed.disableServiceAccountApiKeyCreation

``check --for key-creation``: getEffectivePolicy on --project for the constraint that forbids binding an API
key to a service account (AI Studio binds every key it creates to one).
"""

from __future__ import annotations

from ...google.access import GET_ORG_POLICY, role_for
from ...google.org_policy import NO_KEYS_BOUND_TO_SERVICE_ACCOUNTS, enforced
from ..runner import FAIL, OK, Context, Outcome, admin_failure
from ..tokens import as_admin, token_needs
from .org_policy import read_effective

ORDER = 76
PURPOSES = ("key-creation",)
FACTS = {
    "org_policy_blocks_key_creation": "iam.managed.disableServiceAccountApiKeyCreation is enforced on the "
    "project: no key may be bound to a service account"
}
needs = as_admin(token_needs)


async def run(ctx: Context) -> Outcome:
    ref = ctx.setup.project
    reply = await read_effective(ctx, ref, NO_KEYS_BOUND_TO_SERVICE_ACCOUNTS)
    if not reply.ok:
        return admin_failure(reply, f"{role_for(GET_ORG_POLICY)} ({GET_ORG_POLICY})")
    name = f"constraints/{NO_KEYS_BOUND_TO_SERVICE_ACCOUNTS}"
    if enforced(reply.body):
        line = (
            f"{name} is enforced on {ref}: no API key may be bound to a service account, and AI "
            "Studio's keys all are"
        )
        return Outcome(FAIL, line, facts={"org_policy_blocks_key_creation": line})
    return Outcome(OK, f"{name} is not enforced on {ref}")
