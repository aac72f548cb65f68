"""OAuth token

google-auth's own refresh of the credential: check starts it before anything else
(:func:`..auth.fetch_token`), and this probe waits for it (or starts it, when nothing did).
"""

from __future__ import annotations

from ..ids import NO_NEEDS, Needs
from ..runner import FAIL, OK, Context, Outcome
from . import refreshed

ORDER = 10
PURPOSES = ("call", "key-creation")
FACTS = {"token_refresh_failed": "the credential could not get an access token from Google"}


def needs(setup) -> Needs | None:
    return NO_NEEDS if setup.credentials is not None else None


async def run(ctx: Context) -> Outcome:
    failed = await refreshed(ctx, ctx.setup.credentials, ctx.pending_token)
    if failed:
        if failed.status == FAIL:
            failed.facts = {"token_refresh_failed": "token refresh refused"}
        return failed
    ctx.token = ctx.setup.credentials.token
    return Outcome(OK, f"got an access token for {ctx.setup.principal or 'the credential'}")
