"""model {model}

Does the model exist on this surface (models.get on the Gemini API; the publisher model on Vertex AI, which is
not per project or location)?
"""

from __future__ import annotations

from dataclasses import dataclass

from ...google.services import vertex_model_path
from ..runner import COULD_NOT_CHECK, FAIL, OK, Context, Outcome
from . import auth, caller_needs, resource

ORDER = 100
FACTS = {"model_unknown": "the model is not offered on the surface"}
needs = caller_needs


@dataclass(frozen=True)
class Model:
    launch_stage: str | None


async def run(ctx: Context) -> Outcome:
    name = ctx.setup.model
    if ctx.setup.surface == "gemini-api":
        reply = await ctx.http.call("GET", "generativelanguage", f"/v1beta/{resource(name)}", **auth(ctx))
    else:
        reply = await ctx.http.call("GET", "aiplatform", vertex_model_path(name), **auth(ctx))
    if reply.status == 404:
        return Outcome(FAIL, f"model {name} is not offered", facts={"model_unknown": f"{name}: not found"})
    if not reply.ok:
        return Outcome(COULD_NOT_CHECK, f"could not check the model (HTTP {reply.status})")
    stage = reply.body.get("launchStage")
    return Outcome(OK, f"model {name} exists" + (f" ({stage})" if stage else ""), result=Model(stage))
