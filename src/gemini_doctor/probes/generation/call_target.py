"""countTokens on {model}

The call the app makes, on its model, location and credential: countTokens,
which is free and generates nothing.
"""

from __future__ import annotations

from ..runner import Context, Outcome
from . import caller_needs, count_tokens

ORDER = 110
FACTS = {
    "endpoint_host_invalid": "the host built for the app's location is one Google does not serve "
    "(it answered Invalid hostname)"
}
needs = caller_needs


async def run(ctx: Context) -> Outcome:
    outcome = await count_tokens(ctx, ctx.setup.model, ctx.setup.location)
    said = outcome.result.message
    if outcome.result.status == 400 and said and said.startswith("Invalid hostname"):
        outcome.facts["endpoint_host_invalid"] = said
    return outcome
