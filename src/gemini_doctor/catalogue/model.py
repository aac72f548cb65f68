"""The cause catalogue's types: causes, the signals that point to them, and their fix steps."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .literals import Prefiltered

RETRY_ADVICE = {
    "yes": "Retrying can help: this is transient (back off and retry).",
    "after_fix": "Retrying as-is will fail the same way; after the fix, retry (allow a few minutes to propagate).",
    "no": "Retrying this request will not help: the request itself must change.",
}


@dataclass(frozen=True)
class Signal:
    """One piece of evidence that points to a cause. Every condition given must hold.

    ``weight`` is how strongly it alone points to the cause (0..1). A ``fallback`` signal only
    counts when nothing stronger was found anywhere. ``demote`` lowers other causes when this
    signal matches (a cross-signal: e.g. a placeholder project under SERVICE_DISABLED).
    """

    weight: float
    says: str
    reasons: frozenset[str] = frozenset()
    text: Prefiltered | None = None               # case-insensitive pattern with its prefilter
    statuses: frozenset[str] = frozenset()
    codes: frozenset[int] = frozenset()
    surfaces: frozenset[str] = frozenset()
    fields: tuple[tuple[str, re.Pattern[str]], ...] = ()
    facts: frozenset[str] = frozenset()           # live-check facts (from `check`); any one matches
    fallback: bool = False
    demote: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class FixStep:
    step: str
    command: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Cause:
    id: str
    title: str
    why: str
    retry: str
    checks: tuple[str, ...] = ()
    fix: tuple[FixStep, ...] = ()
    signals: tuple[Signal, ...] = field(default=(), repr=False)
