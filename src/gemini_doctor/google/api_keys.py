"""Google's retirement of standard (AIza…) API keys on the Gemini API, announced in 2026.

AI Studio issues only auth keys now (bound to a service account); standard keys are refused by date.
"""

from __future__ import annotations

from datetime import date

UNRESTRICTED_CUTOFF = date(2026, 6, 19)  # from this day an unrestricted standard key is refused (401)
ALL_CUTOFF = date(2026, 9, 1)  # from September 2026 every standard key is (400); Google named no day


def standard_key_refused_since(restricted: bool, on: date) -> date | None:
    """The cutoff that refuses a standard key on *on* (restricted: it has API restrictions), else None."""
    if not restricted and on >= UNRESTRICTED_CUTOFF:
        return UNRESTRICTED_CUTOFF
    return ALL_CUTOFF if on >= ALL_CUTOFF else None
