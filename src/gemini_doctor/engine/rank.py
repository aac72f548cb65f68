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
    ordinary, fallbacks = [], []  # (cause id, signal, evidence line), in catalogue order
    strongest = 0.0
    scanned = causes.scan(evidence.text, evidence.lowered)
    for cause_id, signal in causes.candidates(scanned, keys):
        seen = _match(signal, evidence, scanned)
        if seen is not None:
            line = signal.says if seen in signal.says else f"{signal.says}: {seen}"
            if signal.fallback:
                fallbacks.append((cause_id, signal, line))
            else:
                ordinary.append((cause_id, signal, line))
                if signal.weight > strongest:
                    strongest = signal.weight
    weights: dict[str, tuple[list[float], list[str]]] = {}  # cause id -> (weights, evidence lines)
    demotions: dict[str, float] = {}
    decisive = set()  # causes with a signal that settles them
    for cause_id, signal, line in ordinary + fallbacks if strongest < FALLBACK_BELOW else ordinary:
        found = weights.setdefault(cause_id, ([], []))
        found[0].append(signal.weight)
        found[1].append(line)
        if signal.settles and not signal.fallback:
            decisive.add(cause_id)
        if not signal.fallback:
            for target, factor in signal.demote:
                demotions[target] = min(demotions.get(target, 1.0), factor)
    scored = []
    for cause_id, (ordered, lines) in weights.items():
        ordered.sort(reverse=True)
        confidence = ordered[0] + (1 - ordered[0]) * 0.5 * (ordered[1] if len(ordered) > 1 else 0.0)
        confidence *= demotions.get(cause_id, 1.0)
        scored.append((round(min(confidence, 0.99), 3), cause_id, lines))
    scored.sort(key=lambda item: (-item[0], item[1]))
    floor = max(MIN_CONFIDENCE, KEEP_RATIO * scored[0][0]) if scored else MIN_CONFIDENCE
    ranked = [
        RankedCause(causes[cid], confidence, lines, cid in decisive)
        for confidence, cid, lines in scored[:MAX_CAUSES]
        if confidence >= floor
    ]
    return Diagnosis(
        causes=ranked or [RankedCause(causes["unknown"], 0.0, [], False)],
        record=record,
        extra_values=extra_values or {},
    )


def _match(signal: Signal, evidence: Evidence, scanned: Scanned) -> str | None:
    """What the signal saw (for the evidence line), or None when any condition fails; *scanned* is
    the evidence's text, scanned for the catalogue's literals.

    Spelt out, not looped over a table of conditions: this runs for every candidate of every
    error. The cheap tests come first, and the line is written only once all conditions hold.
    """
    record = evidence.record
    if signal.statuses and record.status not in signal.statuses:
        return None
    if signal.codes and record.code not in signal.codes:
        return None
    if signal.surfaces and record.surface not in signal.surfaces:
        return None
    seen = []
    if signal.facts:
        for fact in sorted(evidence.facts):
            if fact in signal.facts:
                seen.append(evidence.facts[fact])
                break
        else:
            return None
    if signal.reasons:
        for reason in record.reasons:
            if reason in signal.reasons:
                seen.append(f"reason {reason}")
                break
        else:
            return None
    if signal.statuses:
        seen.append(f"status {record.status}")
    if signal.codes:
        seen.append(f"HTTP {record.code}")
    if signal.surfaces:
        seen.append(f"surface {record.surface}")
    for name, pattern in signal.fields:
        value = getattr(record, name, None)
        if not isinstance(value, str) or not pattern.search(value):
            return None
        seen.append(f"{name} {value}")
    if signal.text is not None:
        m = signal.text.search(scanned)
        if m is None:
            return None
        seen.append(f"«{_snippet(evidence.text, m.start(), m.end())}»")
    return ", ".join(seen)


# Where a quoted message ends inside an error dump: a closing quote before `,` `}` `]` (JSON, Python reprs),
# a dict or a list of dicts opening (`{'`, `[{"`), a newline (real or escaped), or a protobuf `[reason`
# block. What follows is structure, not Google's words. (Written as its first character, a class the regex
# engine scans for quickly, then what may follow that character: the alternatives
# ['"]\s*[,}\]] | \s*\[?\{['"] | \\n | \n | \s\[reason, which would be tried at every position.)
_MESSAGE_END = re.compile(
    r"""[\s'"\[{\\](?:(?<=['"])\s*[,}\]]|(?<=\s)\s*\[?\{['"]|(?<=\n)|(?<=\s)\[reason|(?<=\[)\{['"]|(?<={)['"]|(?<=\\)n)"""
)
_MESSAGE_END_REACH = (
    1000  # looked for this far only: its leading \s* would rescan a long run of spaces from each one
)


def _snippet(text: str, start: int, end: int, width: int = 90) -> str:
    """The matched words and what follows them, within the message (no JSON or repr debris), cut between words."""
    stop = _MESSAGE_END.search(text, end, end + _MESSAGE_END_REACH)
    limit = stop.start() if stop else len(text)
    if limit <= start + width:
        return text[start:limit].rstrip()
    right = max(end, start + width)
    space = text.rfind(" ", end, right + 1)
    if space <= end:  # no space in reach: end at the end of the word instead
        space = text.find(" ", right, limit)
    if space == -1 or space >= limit:
        return text[start:limit].rstrip()
    return text[start:space].rstrip(" ,;:") + "…"
