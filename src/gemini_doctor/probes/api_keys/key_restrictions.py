"""the key's restrictions

API Keys keys.get: the key's record decides its kind (an auth key is bound to a service account), the API it
is for, and whether Google's retirement of standard keys refuses it; never the key's prefix.
"""

from __future__ import annotations

from ...google import services
from ...google.access import GET_KEY, role_for
from ..ids import Needs, requires
from ..runner import FAIL, OK, Context, Outcome, admin_failure
from . import asks_about_the_key

ORDER = 40
AFTER_LOOKUP = requires("key_lookup")
(KEY_LOOKUP,) = AFTER_LOOKUP
FACTS = {
    "vertex_key_on_gemini_api": (
        "the key's record restricts it to Agent Platform (a Vertex key), and it is aimed at the Gemini API"
    ),
    "key_api_targets_exclude_service": (
        "the key's API restrictions leave out the service it is used with, or its generation methods"
    ),
    "api_key_on_vertex": "an API key restricted to the Gemini API (an AI Studio key) is used with Vertex AI",
    "standard_key_retired": "the app's key is a standard key (its record binds no service account) past the "
    "retirement date that applies to it",
}
GEMINI_API, VERTEX = services.GEMINI_API.service, services.VERTEX.service


def needs(setup) -> Needs | None:
    return AFTER_LOOKUP if asks_about_the_key(setup) else None


async def run(ctx: Context) -> Outcome:
    from ...google.api_keys import blocked_generation, standard_key_refused_since
    from ...google.lifecycle import today

    reply = await ctx.http.call("GET", "apikeys", f"/v2/{ctx.result(KEY_LOOKUP).name}", token=ctx.token)
    if not reply.ok:
        return admin_failure(reply, f"{GET_KEY} ({role_for(GET_KEY)})")
    restrictions = reply.body.get("restrictions") or {}
    targets = [t.get("service") for t in restrictions.get("apiTargets", [])]
    bound = reply.body.get("serviceAccountEmail")
    kind = f"an auth key bound to {bound}" if bound else "a standard key (bound to no service account)"
    service = services.service_of(ctx.setup.surface)
    limited = f"restricted to {', '.join(targets)}" if targets else "with no API restriction"
    if targets and service not in targets:
        if GEMINI_API in targets and service == VERTEX:
            fact = {
                "api_key_on_vertex": (
                    f"the key is {kind}, restricted to the Gemini API, and is used with Vertex AI"
                )
            }
        elif VERTEX in targets and service == GEMINI_API:
            fact = {
                "vertex_key_on_gemini_api": (
                    f"the key is {kind}, restricted to Vertex AI, and is used with the Gemini API"
                )
            }
        else:
            fact = {"key_api_targets_exclude_service": f"apiTargets: {', '.join(targets)}"}
        return Outcome(FAIL, f"the key is {kind}, {limited}", facts=fact)
    methods = next(
        (t.get("methods") or [] for t in restrictions.get("apiTargets", []) if t.get("service") == service),
        [],
    )
    blocked = blocked_generation([str(m) for m in methods], service)
    if blocked:
        shown = f"apiTargets: {service} methods {', '.join(map(str, methods))}"
        return Outcome(
            FAIL,
            f"the key is {kind}, {limited}, whose methods block {' and '.join(blocked)}",
            facts={"key_api_targets_exclude_service": f"{shown} (blocks {', '.join(blocked)})"},
        )
    since = None if bound or service != GEMINI_API else standard_key_refused_since(bool(targets), today())
    if since:
        return Outcome(
            FAIL,
            f"the key is {kind}, {limited}: the Gemini API refuses such keys since {since}",
            facts={
                "standard_key_retired": (
                    f"{kind}, {limited}; refused by the Gemini API since {since.isoformat()}"
                )
            },
        )
    kinds = [k.replace("KeyRestrictions", "") for k in restrictions if k != "apiTargets"]
    return Outcome(
        OK,
        f"the key is {kind}, {limited}" + (f"; application restriction: {', '.join(kinds)}" if kinds else ""),
    )
