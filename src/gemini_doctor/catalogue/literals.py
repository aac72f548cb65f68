"""Cheap prefilters for catalogue patterns: the literal words a pattern cannot match without.

A signal's regex runs only when one of its literals occurs in the lower-cased text, so the
hundred-odd patterns cost a substring test each on most errors.
"""

from __future__ import annotations

import re

try:  # the stdlib's own regex parser (CPython 3.11+); without it, every pattern just runs
    from re import _constants as _c, _parser
except ImportError:  # pragma: no cover
    _parser = None

MIN_LITERAL = 3


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Lower-case strings of which at least one occurs in any match, or None when unknown."""
    if _parser is None:
        return None
    try:
        parsed = list(_parser.parse(pattern, re.I))
    except re.error:
        return None
    if len(parsed) == 1 and parsed[0][0] is _c.BRANCH:
        alternatives = [list(alt) for alt in parsed[0][1][1]]
    else:
        alternatives = [parsed]
    found = []
    for items in alternatives:
        best = max(_runs(items), key=len, default="")
        if len(best) < MIN_LITERAL:
            return None
        found.append(best.lower())
    return tuple(found)


def _runs(items: list) -> list[str]:
    runs, current = [], []
    for op, value in items:
        if op is _c.LITERAL:
            current.append(chr(value))
            continue
        runs.append("".join(current))
        current = []
    runs.append("".join(current))
    return runs


class Prefiltered:
    """A regex that runs only when one of its required literals occurs; compiled on first use."""

    __slots__ = ("source", "flags", "literals", "_regex")

    def __init__(self, source: str, flags: int = re.I, literals: list[str] | None | object = ...) -> None:
        self.source, self.flags = source, flags
        self.literals = required_literals(source) if literals is ... else (tuple(literals) if literals is not None else None)
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = re.compile(self.source, self.flags)
        return self._regex

    def may_match(self, lowered: str) -> bool:
        return self.literals is None or any(lit in lowered for lit in self.literals)

    def search(self, text: str, lowered: str) -> re.Match[str] | None:
        return self.regex.search(text) if self.may_match(lowered) else None

    def findall(self, text: str, lowered: str) -> list:
        return self.regex.findall(text) if self.may_match(lowered) else []
