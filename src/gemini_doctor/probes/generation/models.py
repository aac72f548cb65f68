"""models offered to this credential

Which models this credential is offered: models.list on the Gemini API, Model Garden's publisher models on
Vertex AI (which takes OAuth, even in express mode).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ids import Needs
from ..runner import COULD_NOT_CHECK, OK, Context, Outcome
from ..tokens import token_needs
from . import auth, caller_needs

ORDER = 120
FACTS: dict[str, str] = {}


@dataclass(frozen=True)
class Offered:
    names: tuple[str, ...]


def needs(setup) -> Needs | None:
    return caller_needs(setup) if setup.surface == "gemini-api" else token_needs(setup)


async def run(ctx: Context) -> Outcome:
    if ctx.setup.surface == "gemini-api":
        reply = await ctx.http.call(
            "GET", "generativelanguage", "/v1beta/models", params={"pageSize": 1000}, **auth(ctx)
        )
        key, prefix = "models", "models/"
    else:
        reply = await ctx.http.call("GET", "aiplatform", "/v1beta1/publishers/google/models", token=ctx.token)
        key, prefix = "publisherModels", "publishers/google/models/"
    if not reply.ok:
        return Outcome(
            COULD_NOT_CHECK,
            f"could not list the models (HTTP {reply.status}); the control comes from the lifecycle table",
        )
    names = tuple(
        str(m.get("name", "")).removeprefix(prefix) for m in reply.body.get(key) or () if isinstance(m, dict)
    )
    return Outcome(OK, f"{len(names)} models offered", result=Offered(names))
