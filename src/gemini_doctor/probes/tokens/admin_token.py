"""the admin credential's token

The admin credential's own token (--admin-credentials, else the gcloud login when the app runs as another
credential), for the read-only admin probes (audit log, Policy Troubleshooter, org policy); its principal from
tokeninfo when the file names none. A failure here is the admin credential's, never the app's: "could not
check", and the admin probes do not run; a gcloud login nobody asked for gives way to the app's credential.
"""

from __future__ import annotations

from ...google.syntax import valid
from ..ids import NO_NEEDS, Needs
from ..runner import COULD_NOT_CHECK, OK, Context, Outcome
from . import refreshed

ORDER = 25
PURPOSES = ("call", "key-creation")
FACTS = {}  # it finds nothing about the app: it only lets the admin probes run


def needs(setup) -> Needs | None:
    return NO_NEEDS if setup.admin is not None else None


async def run(ctx: Context) -> Outcome:
    admin = ctx.setup.admin
    failed = await refreshed(ctx, admin.credentials, ctx.pending_admin_token)
    if failed and admin.automatic and ctx.setup.credentials is not None:
        return await _as_the_app(ctx, failed)
    if failed:
        return Outcome(COULD_NOT_CHECK, f"could not check as the admin credential: {failed.summary}")
    ctx.admin_token = admin.credentials.token
    if admin.principal is None:
        reply = await ctx.http.call("GET", "oauth2", "/tokeninfo", params={"access_token": ctx.admin_token})
        email = reply.body.get("email") if reply.ok else None
        admin.principal = email if valid("email", email) else None
    return Outcome(
        OK, f"got an access token for {admin.principal or 'the admin credential'}; the admin probes run as it"
    )


async def _as_the_app(ctx: Context, failed: Outcome) -> Outcome:
    """The gcloud login (not asked for) got no token: the admin probes run as the app's credential instead."""
    app_failed = await refreshed(ctx, ctx.setup.credentials, ctx.pending_token)
    if app_failed:
        return Outcome(COULD_NOT_CHECK, f"could not check as your gcloud login: {failed.summary}")
    ctx.setup.admin, ctx.admin_token = None, ctx.setup.credentials.token
    return Outcome(
        OK, f"your gcloud login got no token ({failed.summary}); the admin probes run as the app's credential"
    )
