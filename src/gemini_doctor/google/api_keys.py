"""API keys as Google judges them: the retirement of standard (AIza…) keys on the Gemini API, announced in
2026, and what an API restriction's methods admit.

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


# Where a generation call's RPC lives, per service, and the API versions an app may call (an API target's
# methods may name an RPC whole, version included)
_GENERATION = {
    "generativelanguage.googleapis.com": (
        "google.ai.generativelanguage.{}.GenerativeService",
        ("v1beta", "v1"),
    ),
    "aiplatform.googleapis.com": ("google.cloud.aiplatform.{}.PredictionService", ("v1", "v1beta1")),
}


def method_admitted(methods: list[str], service: str, rpc: str) -> bool:
    """Whether an API target's *methods* admit *rpc* of *service* (none listed: every method). Each names the
    full RPC, the method alone, or the service's host then the method, case-insensitive, ``*`` last for any
    ending (Google's ApiTarget.methods)."""
    short = rpc.rpartition(".")[2]
    names = (rpc.lower(), short.lower(), f"{service}.{short}".lower())
    for pattern in (m.lower() for m in methods):
        if any(name.startswith(pattern[:-1]) if pattern.endswith("*") else name == pattern for name in names):
            return True
    return not methods


def blocked_generation(methods: list[str], service: str) -> list[str]:
    """The generation methods that an API target's *methods* block on *service*, whichever API version the
    app calls."""
    where, versions = _GENERATION.get(service, ("", ()))
    return [
        method
        for method in ("GenerateContent", "StreamGenerateContent")
        if versions
        and not any(method_admitted(methods, service, f"{where.format(v)}.{method}") for v in versions)
    ]
