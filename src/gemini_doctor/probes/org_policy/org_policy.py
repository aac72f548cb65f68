"""organization policy on the call

The project's effective organization policy, read for the constraints a Gemini call meets: Organization
Policy v2 ``getEffectivePolicy`` (read-only) for vertexai.allowedModels (Model Garden's allowlist),
gcp.restrictServiceUsage and, on a regional Vertex location, gcp.resourceLocations. A constraint that refuses
the call confirms ``org_policy``; all of them allowing it rules it out; a policy that hinges on a value group
is reported as such, never guessed.
"""

from __future__ import annotations

import asyncio

from ...google.access import GET_ORG_POLICY, role_for
from ...google.org_policy import (
    ALLOWED_MODELS,
    DENIED,
    RESOURCE_LOCATIONS,
    RESTRICT_SERVICES,
    list_verdict,
    model_value,
)
from ...google.services import GLOBAL, service_of
from ..consumer import consumer, consumer_needs
from ..runner import COULD_NOT_CHECK, FAIL, OK, Context, Outcome, admin_failure
from ..tokens import as_admin

ORDER = 75
FACTS = {
    "org_policy_forbids_call": "the project's effective organization policy does not allow the model, the "
    "service or the location the call uses",
    "org_policy_allows_call": "the project's effective organization policies allow the model, the service "
    "and the location the call uses",
}
ROLE_NEEDED = f"{role_for(GET_ORG_POLICY)} ({GET_ORG_POLICY})"
needs = as_admin(consumer_needs)


async def read_effective(ctx: Context, project: str, constraint: str):
    """The reply to getEffectivePolicy for *constraint* on *project*."""
    return await ctx.http.call(
        "GET",
        "orgpolicy",
        f"/v2/projects/{project}/policies/{constraint}:getEffectivePolicy",
        token=ctx.admin_probe_token,
    )


def _questions(ctx: Context) -> list[tuple[str, tuple[str, ...], str, bool]]:
    """(constraint, the values that spell what the call uses, what that is for people, whether a denial blocks
    the call itself). gcp.resourceLocations governs where resources are created: a call it blocked would cite
    it."""
    setup, service = ctx.setup, service_of(ctx.setup.surface)
    asked = [(RESTRICT_SERVICES, (service,), service, True)]
    if setup.surface == "vertex":
        model = setup.model
        asked.insert(
            0,
            (
                ALLOWED_MODELS,
                (model_value(model), f"publishers/google/models/{model}"),
                f"{model} (predict)",
                True,
            ),
        )
        if setup.location != GLOBAL:
            asked.append(
                (
                    RESOURCE_LOCATIONS,
                    (setup.location, f"in:{setup.location}-locations"),
                    setup.location,
                    False,
                )
            )
    return asked


def _project(ctx: Context) -> str | None:
    """The project whose policy governs the call: the path's on Vertex AI, else the consumer project."""
    return ctx.setup.project if ctx.setup.surface == "vertex" and not ctx.setup.uses_key else consumer(ctx)


async def run(ctx: Context) -> Outcome:
    project = _project(ctx)
    if not project:
        return Outcome(COULD_NOT_CHECK, "could not check: no project configured (set GOOGLE_CLOUD_PROJECT)")
    asked = _questions(ctx)
    replies = await asyncio.gather(*(read_effective(ctx, project, constraint) for constraint, *_ in asked))
    refused, allowed, undecided, blocking = [], [], [], False
    for (constraint, values, what, blocks), reply in zip(asked, replies, strict=True):
        if not reply.ok:
            failure = admin_failure(reply, ROLE_NEEDED)
            continue
        verdict = list_verdict(reply.body, *values)
        if verdict == DENIED:
            refused.append(f"constraints/{constraint} on project {project} does not allow {what}")
            blocking |= blocks
        elif verdict is None:
            undecided.append(f"constraints/{constraint} names a value group it would take Google to expand")
        else:
            allowed.append(what)
    if refused:
        line = "; ".join(refused)
        return Outcome(FAIL if blocking else OK, line, facts={"org_policy_forbids_call": line})
    if len(allowed) + len(undecided) < len(asked):
        return failure
    if undecided:
        return Outcome(OK, "; ".join(undecided) + (f"; allows {', '.join(allowed)}" if allowed else ""))
    line = f"the effective org policies on project {project} allow {', '.join(allowed)}"
    return Outcome(OK, line, facts={"org_policy_allows_call": line})
