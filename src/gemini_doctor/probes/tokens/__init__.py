"""Google's OAuth 2.0 token endpoint and tokeninfo: the credential's access token, its principal and scopes
(and --admin-credentials' own token, for the admin probes)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future

from ..auth import fetch_token
from ..discovery import Setup
from ..failures import describe_failure, host_of
from ..ids import Needs, requires
from ..runner import COULD_NOT_CHECK, FAIL, Context, Outcome

WITH_TOKEN = requires("token")
(TOKEN,), (ADMIN_TOKEN,) = WITH_TOKEN, requires("admin_token")


def token_needs(setup: Setup) -> Needs | None:
    """What a probe calling Google with the app's token needs: the token (when the app has a credential)."""
    return WITH_TOKEN if setup.credentials is not None else None


async def refreshed(ctx: Context, credentials, pending: Future | None) -> Outcome | None:
    """Wait for google-auth's refresh of *credentials* (*pending*, or started now): None once it has a token,
    else the outcome that says why not (FAIL: Google refused the refresh; COULD_NOT_CHECK: no answer)."""
    from google.auth import exceptions as auth_exceptions

    token_uri = getattr(credentials, "token_uri", None) or getattr(credentials, "_token_uri", None)
    ctx.http.requests += 1
    try:
        await asyncio.wrap_future(pending or fetch_token(credentials, timeout=ctx.http.timeout))
    except auth_exceptions.RefreshError as exc:
        ctx.http.note(f"POST {token_uri or 'token endpoint'} (google-auth refresh) -> refused: {exc}")
        return Outcome(FAIL, "the credential could not get a token", error_text=str(exc))
    except auth_exceptions.TransportError as exc:
        ctx.http.note(f"POST {token_uri or 'token endpoint'} (google-auth refresh) -> no answer")
        return Outcome(
            COULD_NOT_CHECK, describe_failure(exc, host_of(token_uri) or "the token endpoint", ctx.http.proxy)
        )
    ctx.http.note(f"POST {token_uri or 'token endpoint'} (google-auth refresh) -> got a token")
    return None


def as_admin(needs: Callable[[Setup], Needs | None]) -> Callable[[Setup], Needs | None]:
    """An admin probe's needs: with --admin-credentials, that credential's token instead of the app's."""

    def admin_needs(setup: Setup) -> Needs | None:
        wanted = needs(setup)
        if wanted is None or setup.admin is None:
            return wanted
        return wanted.replacing(TOKEN, ADMIN_TOKEN)

    return admin_needs
