"""The one engine: evidence in, ranked causes with confidence, evidence lines and filled fixes out.

Scoring, in full:
- a cause's confidence is its strongest matching signal, plus half the remaining headroom times
  its second strongest (corroboration, bounded so it cannot outrank a decisive cross-signal);
- ``fallback`` signals count only when no ordinary signal of weight >= ``FALLBACK_BELOW`` matched;
- each matching signal's ``demote`` multiplies the named causes' confidence;
- a cause is ``decisive`` when one of its matching signals ``settles`` (see Diagnosis.settled);
- causes below ``KEEP_RATIO`` of the best, or below ``MIN_CONFIDENCE``, are dropped.
"""

from __future__ import annotations

import re

from ..catalogue import Catalogue, Cause, Signal, load_catalogue
from ..evidence.parse import Evidence
from ..matching.prefilter import Scanned
from .diagnosis import Diagnosis, RankedCause

FALLBACK_BELOW = 0.6
KEEP_RATIO = 0.25
MIN_CONFIDENCE = 0.15
MAX_CAUSES = 5


def rank(
    evidence: Evidence, extra_values: dict[str, str] | None = None, causes: dict[str, Cause] | None = None
) -> Diagnosis:
    """Rank every catalogue cause against *evidence*."""
    causes = (
        load_catalogue() if causes is None else causes if isinstance(causes, Catalogue) else Catalogue(causes)
    )
    record = evidence.record
    if record.vendor:  # another vendor's error (evidence.foreign): no Google cause can be its cause
        line = f"Another vendor's error: {record.vendor}'s marks, and no Google status, reason, host or name"
        return Diagnosis([RankedCause(causes["unknown"], 0.0, [line], False)], record, extra_values or {})
    keys = [
        *record.reasons,
        *evidence.facts,
        ("status", record.status),
        ("code", record.code),
        ("surface", record.surface),
        *[("field", name) for name in causes.field_names if getattr(record, name)],
    ]
    scanned = causes.scan(evidence.text, evidence.lowered)
    hits, fallbacks, strongest = _ordinary_hits(causes.candidates(scanned, keys), evidence, scanned)
    if strongest < FALLBACK_BELOW:
        hits += _fallback_hits(fallbacks, evidence, scanned)
    found: dict[str, tuple[list[float], list[tuple[Signal, object]]]] = {}  # cause id -> (weights, hits)
    demotions: dict[str, float] = {}
    decisive = set()  # causes with a signal that settles them
    for cause_id, signal, seen in hits:
        weights, signals = found.setdefault(cause_id, ([], []))
        weights.append(signal.weight)
        signals.append((signal, seen))
        if not signal.fallback:
            if signal.settles:
                decisive.add(cause_id)
            for target, factor in signal.demote:
                demotions[target] = min(demotions.get(target, 1.0), factor)
    scored = []
    for cause_id, (ordered, signals) in found.items():
        ordered.sort(reverse=True)
        confidence = ordered[0] + (1 - ordered[0]) * 0.5 * (ordered[1] if len(ordered) > 1 else 0.0)
        confidence *= demotions.get(cause_id, 1.0)
        scored.append((round(min(confidence, 0.99), 3), cause_id, signals))
    scored.sort(key=lambda item: (-item[0], item[1]))
    floor = max(MIN_CONFIDENCE, KEEP_RATIO * scored[0][0]) if scored else MIN_CONFIDENCE
    ranked = [  # evidence lines are written only now, for the causes shown
        RankedCause(causes[cid], confidence, _evidence_lines(signals, evidence), cid in decisive)
        for confidence, cid, signals in scored[:MAX_CAUSES]
        if confidence >= floor
    ]
    return Diagnosis(
        causes=ranked or [RankedCause(causes["unknown"], 0.0, [], False)],
        record=record,
        extra_values=extra_values or {},
    )


def _ordinary_hits(
    candidates: list[tuple[str, Signal]], evidence: Evidence, scanned: Scanned
) -> tuple[list[tuple[str, Signal, object]], list[tuple[str, Signal]], float]:
    """The ordinary signals among *candidates* that match, as (cause id, signal, what its pattern
    matched); the fallback candidates, left unmatched (they count only when no ordinary signal is
    strong); and the strongest matching weight."""
    hits, fallbacks = [], []
    strongest = 0.0
    for cause_id, signal in candidates:
        if signal.fallback:
            fallbacks.append((cause_id, signal))
            continue
        seen = _matches(signal, evidence, scanned)
        if seen is not None:
            hits.append((cause_id, signal, seen))
            if signal.weight > strongest:
                strongest = signal.weight
    return hits, fallbacks, strongest


def _fallback_hits(
    fallbacks: list[tuple[str, Signal]], evidence: Evidence, scanned: Scanned
) -> list[tuple[str, Signal, object]]:
    """The fallback signals that match, as :func:`_ordinary_hits` gives them."""
    hits = []
    for cause_id, signal in fallbacks:
        seen = _matches(signal, evidence, scanned)
        if seen is not None:
            hits.append((cause_id, signal, seen))
    return hits


_NO_TEXT = True  # what _matches() gives for a signal that holds without a text pattern


def _matches(signal: Signal, evidence: Evidence, scanned: Scanned) -> object:
    """None when any of the signal's conditions fails; else what its text pattern matched (the
    match, for the evidence line), or ``_NO_TEXT``. *scanned* is the evidence's text, scanned for
    the catalogue's literals.

    Spelt out, not looped over a table of conditions: this runs for every candidate of every
    error. The cheap tests come first; the evidence line is written later, only for the causes
    shown (:func:`_evidence_line`).
    """
    record = evidence.record
    if signal.statuses and record.status not in signal.statuses:
        return None
    if signal.codes and record.code not in signal.codes:
        return None
    if signal.surfaces and record.surface not in signal.surfaces:
        return None
    if signal.facts and signal.facts.isdisjoint(evidence.facts):
        return None
    if signal.reasons and signal.reasons.isdisjoint(record.reasons):
        return None
    for name, pattern in signal.fields:
        value = getattr(record, name, None)
        if not isinstance(value, str) or not pattern.search(value):
            return None
    if signal.text is None:
        return _NO_TEXT
    return signal.text.search(scanned)


def _evidence_lines(signals: list[tuple[Signal, object]], evidence: Evidence) -> list[str]:
    """One line per matching signal, with what it saw (from :func:`_matches`)."""
    return [_evidence_line(signal, seen, evidence) for signal, seen in signals]


def _evidence_line(signal: Signal, seen: object, evidence: Evidence) -> str:
    """What *signal* says, and what it saw in *evidence*: the facts, reason, status, code, surface
    and fields it requires, and the words its pattern matched (*seen*)."""
    record = evidence.record
    parts = []
    if signal.facts:
        parts.append(evidence.facts[min(signal.facts.intersection(evidence.facts))])
    for reason in record.reasons if signal.reasons else ():  # the first the signal names
        if reason in signal.reasons:
            parts.append(f"reason {reason}")
            break
    if signal.statuses:
        parts.append(f"status {record.status}")
    if signal.codes:
        parts.append(f"HTTP {record.code}")
    if signal.surfaces:
        parts.append(f"surface {record.surface}")
    for name, _ in signal.fields:
        parts.append(f"{name} {getattr(record, name)}")
    if seen is not _NO_TEXT:
        parts.append(f"«{_snippet(evidence.text, seen.start(), seen.end())}»")
    line = ", ".join(parts)
    return signal.says if line in signal.says else f"{signal.says}: {line}"


# Where a quoted message ends inside an error dump: a closing quote before `,` `}` `]` (JSON, Python reprs),
# a dict or a list of dicts opening (`{'`, `[{"`), an escaped newline, or a protobuf `[reason` block. What
# follows is structure, not Google's words. The text is folded (single spaces, no other white space), so
# every alternative starts with a character of its own: the regex engine skips ahead to those characters
# and drops, at each, the alternatives that start with another.
_MESSAGE_END = re.compile(r"""' ?[,}\]]|" ?[,}\]]| \[?\{['"]| \[reason|\[\{['"]|\{['"]|\\n""")
# looked for this far only, so that a long text without one is not searched to its end
_MESSAGE_END_REACH = 1000
# the longest message end: " [reason"
_MESSAGE_END_LONGEST = 8


def _snippet(text: str, start: int, end: int, width: int = 90) -> str:
    """The matched words (``text[start:end]``) and what follows them, within the message (no JSON or
    repr debris), cut between words. *text* is folded, as ``Evidence.text`` is (single spaces).

    The message's end is looked for near the match first (up to ``start + width``, where the snippet
    is cut anyway); only a match without a space after it within that reach needs the end further on.
    """
    cut = start + width
    near = _message_end(text, end, cut + 1 + _MESSAGE_END_LONGEST)
    if near <= cut:
        return text[start:near].rstrip()
    space = text.rfind(" ", end, max(end, cut) + 1)
    if space > end:  # the message goes on past the cut: end at the last space before it
        return text[start:space].rstrip(" ,;:") + "…"
    limit = _message_end(text, end, end + _MESSAGE_END_REACH)
    space = text.find(" ", max(end, cut), limit)  # no space within reach: end at the end of the word instead
    if space == -1:
        return text[start:limit].rstrip()
    return text[start:space].rstrip(" ,;:") + "…"


def _message_end(text: str, end: int, reach: int) -> int:
    """Where the message that runs on at *end* ends (``len(text)`` when no end starts before *reach*)."""
    stop = _MESSAGE_END.search(text, end, reach)
    return stop.start() if stop else len(text)
