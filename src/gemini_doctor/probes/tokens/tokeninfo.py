"""token principal and scopes

Google's tokeninfo: who the token speaks for, and whether its scopes reach the surface the app calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...google.access import CLOUD_PLATFORM, GEMINI_API_SCOPES
from ..runner import OK, Context, Outcome, admin_failure
from . import token_needs

ORDER = 20
PURPOSES = ("call", "key-creation")
TITLES = {"key-creation": "signed-in account"}
FACTS = {
    "scopes_lack_gemini_api": "the token calling the Gemini API carries no Gemini API scope",
    "scopes_lack_cloud_platform": "the token calling Vertex AI lacks the cloud-platform scope",
}
needs = token_needs


@dataclass(frozen=True)
class TokenInfo:
    email: str | None
    scopes: frozenset[str]


async def run(ctx: Context) -> Outcome:
    reply = await ctx.http.call("GET", "oauth2", "/tokeninfo", params={"access_token": ctx.token})
    if not reply.ok:
        return admin_failure(reply, "a valid token")
    scopes = frozenset(str(reply.body.get("scope", "")).split())
    email = reply.body.get("email")
    ctx.setup.principal = ctx.setup.principal or email
    facts = {}
    shown = f"token scopes: {' '.join(sorted(scopes)) or 'none'}"
    admin_apis = ctx.setup.purpose == "key-creation"  # it reads admin APIs: the call's scopes do not matter
    if (
        ctx.setup.surface == "gemini-api"
        and not admin_apis
        and not ctx.setup.uses_key
        and not scopes & GEMINI_API_SCOPES
    ):
        facts["scopes_lack_gemini_api"] = shown
    if (ctx.setup.surface == "vertex" or admin_apis) and CLOUD_PLATFORM not in scopes:
        facts["scopes_lack_cloud_platform"] = shown
    return Outcome(
        OK,
        f"principal {email or 'unknown'}; scopes {', '.join(s.rsplit('/', 1)[-1] for s in sorted(scopes))}",
        facts=facts,
        result=TokenInfo(email, scopes),
    )
