"""A diagnosis: ranked causes with their evidence, and its stable JSON form."""

from __future__ import annotations

from collections import namedtuple

from ..catalogue import RETRY_ADVICE, Cause
from ..evidence.record import ErrorRecord
from .fill import fill, template_values

SETTLED_AT = 0.8          # top confidence from which the text alone settles the cause
SETTLED_MARGIN = 0.15     # ... provided the runner-up trails by at least this much


RankedCause = namedtuple("RankedCause", "cause confidence evidence")


class Diagnosis:
    """Ranked causes (best first) for one record; *extra_values* fill fix templates the record cannot."""

    __slots__ = ("causes", "record", "extra_values")

    def __init__(self, causes: list[RankedCause], record: ErrorRecord, extra_values: dict[str, str] | None = None) -> None:
        self.causes, self.record, self.extra_values = causes, record, extra_values or {}

    @property
    def top(self) -> RankedCause:
        return self.causes[0]

    @property
    def found(self) -> bool:
        """True when at least one real cause (not ``unknown``) was named."""
        return self.top.cause.id != "unknown"

    @property
    def settled(self) -> bool:
        """True when the evidence alone points to one cause."""
        if not self.found or self.top.confidence < SETTLED_AT:
            return False
        return len(self.causes) == 1 or self.causes[1].confidence <= self.top.confidence - SETTLED_MARGIN

    def to_dict(self) -> dict:
        """The stable JSON schema documented in README ("JSON output")."""
        values = template_values(self.record, self.extra_values)
        settled = self.settled
        out = {
            "causes": [_cause_dict(rc, values) for rc in self.causes],
            "settled": settled,
            "parsed": self.record.to_dict(),
        }
        if not settled:
            out["next_step"] = "Run `gemini-doctor check` to tell these apart with live checks of your setup."
        return out


def _cause_dict(ranked: RankedCause, values: dict[str, str]) -> dict:
    cause = ranked.cause
    fix = []
    for step in cause.fix:
        item = {"step": fill(step.step, values)}
        if step.command:
            item["command"] = fill(step.command, values)
        if step.url:
            item["url"] = fill(step.url, values)
        fix.append(item)
    return {
        "id": cause.id,
        "confidence": ranked.confidence,
        "title": cause.title,
        "why": fill(cause.why, values),
        "evidence": ranked.evidence,
        "checks": [fill(c, values) for c in cause.checks],
        "fix": fix,
        "retry": cause.retry,
        "retry_advice": RETRY_ADVICE[cause.retry],
    }
