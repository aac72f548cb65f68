"""Cheap prefilters for catalogue patterns: the literal words a pattern cannot match without.

A signal's regex runs only when one of its literals occurs in the lower-cased text, so the
hundred-odd patterns cost a substring test each on most errors. A case-insensitive pattern is
also folded to lower case and run against the lower-cased text without IGNORECASE: CPython's
regex engine can skip ahead to a literal prefix only in case-sensitive patterns, which makes
the folded form several times faster.
"""

from __future__ import annotations

import re

try:  # the stdlib's own regex parser (CPython 3.11+); without it, every pattern just runs
    from re import _constants as _c, _parser
except ImportError:  # pragma: no cover
    _parser = None

MIN_LITERAL = 3
_UNFOLDABLE = re.compile(r"\\[xuUN]|\(\?[a-zA-Z]*-|\(\?[a-zA-Z]*[LAu]")  # hex/named escapes, scoped or odd flags


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


def fold_case(pattern: str) -> str | None:
    """*pattern* rewritten to match lower-cased text as it matched any text under IGNORECASE,
    or None when it uses a construct this cannot fold (hex or named escapes, scoped flags)."""
    if _UNFOLDABLE.search(pattern):
        return None
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\":                   # an escape keeps its case: \S is not \s
            out.append(pattern[i:i + 2])
            i += 2
        elif pattern.startswith("(?P", i):       # named group syntax
            out.append("(?P")
            i += 3
        else:
            out.append(pattern[i].lower())
            i += 1
    return "".join(out)


class Prefiltered:
    """A regex that runs only when one of its required literals occurs; compiled on first use.

    Callers pass the text and its lower case (equal lengths, see ``Evidence``); a match's span
    holds in both, whichever of the two the regex ran on.
    """

    __slots__ = ("source", "flags", "literals", "_regex", "_on_lowered")

    def __init__(self, source: str, flags: int = re.I, literals: list[str] | None | object = ...) -> None:
        self.source, self.flags = source, flags
        self.literals = required_literals(source) if literals is ... else (tuple(literals) if literals is not None else None)
        self._regex: re.Pattern[str] | None = None
        self._on_lowered = False

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled pattern: folded to lower case when it is case-insensitive and can be folded."""
        if self._regex is None:
            folded = fold_case(self.source) if self.flags & re.I else None
            self._on_lowered = folded is not None
            self._regex = re.compile(folded, self.flags & ~re.I) if self._on_lowered else re.compile(self.source, self.flags)
        return self._regex

    def may_match(self, lowered: str) -> bool:
        return self.literals is None or any(lit in lowered for lit in self.literals)

    def search(self, text: str, lowered: str) -> re.Match[str] | None:
        """The first match, or None. Read values by span (``text[m.start(1):m.end(1)]``):
        a folded pattern's groups are in lower case."""
        return self.search_unfiltered(text, lowered) if self.may_match(lowered) else None

    def search_unfiltered(self, text: str, lowered: str) -> re.Match[str] | None:
        """:meth:`search` for a caller that has already checked the literals."""
        regex = self.regex
        return regex.search(lowered if self._on_lowered else text)

    def findall(self, text: str, lowered: str) -> list:
        """All matches' groups; for case-sensitive patterns (a folded pattern's groups are lower case)."""
        if not self.may_match(lowered):
            return []
        regex = self.regex
        return regex.findall(lowered if self._on_lowered else text)
