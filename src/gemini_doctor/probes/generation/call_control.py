"""countTokens on a control model

The same call on a control model: generally available, open to new users today (the lifecycle table), offered
to this credential (the live list, when there is one), outside the target's family. Its outcome says nothing
about the setup by itself: the verdict compares it with the target's.
"""

from __future__ import annotations

import re

from ..discovery import Setup
from ..ids import requires
from ..runner import SKIPPED, Context, Outcome
from . import caller_needs, count_tokens

ORDER = 130
FACTS: dict[str, str] = {}
AFTER = requires("models")
(MODELS,) = AFTER
needs = caller_needs
_VERSION = re.compile(r"-\d+(?:\.\d+)*(?=-|$)")


def family(name: str) -> str:
    """A model's family: its ID without version numbers (gemini-3.5-flash and gemini-3.8-flash are both
    gemini-flash)."""
    return _VERSION.sub("", name.lower())


def control_model(setup: Setup, listed: tuple[str, ...] | None) -> tuple[str, str] | None:
    """The control model and the location to call it at; None when no model qualifies."""
    from ...google.lifecycle import AVAILABLE, model_table

    table, avoid = model_table(), family(setup.model)
    order = [*table.control, *(n for n in listed or () if n not in table.control)]
    for name in order:
        entry = table.find(name)
        if (
            entry is None
            or entry.stage != "ga"
            or entry.status(setup.surface) != AVAILABLE
            or family(entry.id) == avoid
        ):
            continue
        if listed is not None and name not in listed:
            continue
        location = (
            setup.location
            if setup.surface == "vertex" and entry.served_at(setup.location) is not False
            else "global"
        )
        return name, location
    return None


async def run(ctx: Context) -> Outcome:
    offered = ctx.result(MODELS)
    chosen = control_model(ctx.setup, offered.names if offered else None)
    if chosen is None:
        return Outcome(
            SKIPPED, "no generally available model outside the target's family is offered to this credential"
        )
    return await count_tokens(ctx, *chosen)
