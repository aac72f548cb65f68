"""The models themselves, on the surface the app calls: the Gemini API (generativelanguage.googleapis.com) or
Vertex AI (aiplatform.googleapis.com). What the model probes share: how they authenticate, and countTokens."""

from __future__ import annotations

from dataclasses import dataclass

from ...google.services import vertex_model_path
from ..ids import NO_NEEDS, Needs
from ..runner import COULD_NOT_CHECK, FAIL, OK, Context, Outcome
from ..tokens import WITH_TOKEN


@dataclass(frozen=True)
class CountTokens:
    """What a countTokens call answered (the verdict compares the target's with the control's)."""

    model: str
    location: str
    status: int
    message: str | None = None  # Google's error message, when it gave one


def caller_needs(setup) -> Needs | None:
    """A call as the app makes it: with its key, or with a token."""
    if setup.api_key is None and setup.credentials is None:
        return None
    return NO_NEEDS if setup.uses_key else WITH_TOKEN


def resource(name: str) -> str:
    """The Gemini API resource for a model name: tuned models keep their own collection."""
    return name if name.startswith("tunedModels/") else f"models/{name}"


def auth(ctx: Context) -> dict:
    """The credential arguments of a call as the app makes it."""
    setup = ctx.setup
    if setup.uses_key:
        return {"key": setup.api_key}
    headers = {"x-goog-user-project": setup.quota_project} if setup.quota_project else {}
    return {"token": ctx.token, "headers": headers}


async def count_tokens(ctx: Context, name: str, location: str) -> Outcome:
    """countTokens on *name* at *location* (free, generates nothing), as the app would call it."""
    setup = ctx.setup
    body = {"contents": [{"role": "user", "parts": [{"text": "ping"}]}]}
    if setup.surface == "gemini-api":
        reply = await ctx.http.call(
            "POST", "generativelanguage", f"/v1beta/{resource(name)}:countTokens", json=body, **auth(ctx)
        )
    elif setup.uses_key:
        reply = await ctx.http.call(
            "POST", "aiplatform", vertex_model_path(name) + ":countTokens", json=body, **auth(ctx)
        )
    else:
        path = vertex_model_path(name, setup.project, location) + ":countTokens"
        reply = await ctx.http.call("POST", "aiplatform", path, location=location, json=body, **auth(ctx))
    if reply.ok:
        return Outcome(OK, f"countTokens on {name} works", result=CountTokens(name, location, reply.status))
    message = (
        (reply.body.get("error") or {}).get("message") if isinstance(reply.body.get("error"), dict) else None
    )
    detail = f"HTTP {reply.status}" + (f" {_shorten(message)}" if message else "")
    # A 5xx is Google's side: not a finding about the setup, though its text still reaches the verdict.
    status, prefix = (
        (COULD_NOT_CHECK, "could not check: Google answered ") if reply.status >= 500 else (FAIL, "")
    )
    return Outcome(
        status,
        f"{prefix}countTokens on {name}: {detail}",
        error_text=reply.text,
        result=CountTokens(name, location, reply.status, message),
    )


def _shorten(text: str, width: int = 120) -> str:
    return text if len(text) <= width else text[:width].rsplit(" ", 1)[0] + "…"
