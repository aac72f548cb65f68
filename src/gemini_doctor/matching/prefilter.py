"""Running many regexes over one error cheaply: each pattern with its prefilter, one literal scan
for all of them, and an index that lists only the patterns a text can match.

A pattern runs only when one of its required literals occurs in the lower-cased text, so the
hundreds of patterns cost a substring test (or a set lookup after one scan) on most errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .literals import (
    boundary_after_literal,
    branches,
    fold_case,
    lower_in_step,
    required_literals,
    starts_with_literal,
)

LEFTMOST_UP_TO = 32  # literals; more are scanned for overlapping matches (see LiteralScanner)
DFA_AFTER = 3  # scans a LiteralScanner makes before its DFA (one explain makes one or two; a batch, more)
_WINDOW = 1 << 16  # characters LiteralScanner.occurs() scans at a time


class LiteralScanner:
    """Which of many literals occur in a text, found in one pass (an Aho-Corasick automaton, in
    Rust) instead of one substring search per literal.

    For a small set (redaction's triggers), reporting only leftmost, non-overlapping matches lets
    the automaton run its SIMD prefilter, 3-7x faster than reporting every overlapping match. A
    literal found only inside or across another's match is then not reported: each reported
    literal brings along the literals inside it, and those that could start inside it and run on
    past its end (``access_token`` and ``token=``) are looked for in the text. A large set (the
    catalogue's) gains little from the prefilter, and working out its overlaps would cost start-up
    time, so it is scanned for every overlapping match instead.

    The automaton is built on first use, as a contiguous NFA: a fifth of a DFA's build time (about 0.3
    ms against 2 ms for the catalogue's), which one ``explain`` (a scan or two) never earns back. A
    scanner that keeps scanning (a batch) is rebuilt as a DFA, the fastest scan, on its
    :data:`DFA_AFTER`-th scan. Both find the same matches.
    """

    __slots__ = ("_automaton", "_hidden", "_literals", "_longest", "_overlapping", "_until_dfa")

    def __init__(self, literals: Iterable[str]) -> None:
        self._literals = sorted(set(literals))
        self._overlapping = len(self._literals) > LEFTMOST_UP_TO
        self._longest = max(map(len, self._literals), default=0)
        self._automaton = None  # built on first use: importing stays cheap
        self._until_dfa = DFA_AFTER  # scans left before the DFA is built; 0 once it is
        # literal -> (the literals inside it, those that can start inside it and run on past it)
        self._hidden: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}

    def present(self, text: str) -> set[str]:
        """The literals that occur in *text*."""
        automaton = self._next_automaton() if self._until_dfa else self._automaton
        if self._overlapping:
            return set(automaton.find_matches_as_strings(text, overlapping=True))
        found = set(automaton.find_matches_as_strings(text))
        for outer in tuple(found):
            hidden = self._hidden.get(outer)
            if hidden is not None:
                found |= hidden[0]
                for literal in hidden[1]:
                    if literal not in found and literal in text:
                        found.add(literal)
        return found

    def occurs(self, text: str) -> bool:
        """Whether any of the literals occurs in *text*. A long text is scanned in windows, stopping at
        the first that holds one: a text dense with literals (a megabyte of backslashes) would otherwise
        cost an object for every match."""
        automaton = self._next_automaton() if self._until_dfa else self._automaton
        if len(text) <= _WINDOW:
            return bool(automaton.find_matches_as_strings(text))
        reach = _WINDOW + self._longest - 1  # windows overlap, so a literal across their border is seen
        return any(
            automaton.find_matches_as_strings(text[start : start + reach])
            for start in range(0, len(text), _WINDOW)
        )

    def _next_automaton(self):
        """The automaton for this scan, counted: built on the first, rebuilt as a DFA on the last before
        the DFA serves every scan."""
        from ahocorasick_rs import AhoCorasick, Implementation, MatchKind

        self._until_dfa -= 1
        if self._automaton is None:
            self._find_hidden()
        elif self._until_dfa:
            return self._automaton
        kind = MatchKind.Standard if self._overlapping else MatchKind.LeftmostFirst
        implementation = Implementation.ContiguousNFA if self._until_dfa else Implementation.DFA
        self._automaton = AhoCorasick(self._literals, implementation=implementation, matchkind=kind)
        return self._automaton

    def _find_hidden(self) -> None:
        """Fill :attr:`_hidden` (leftmost matching only)."""
        literals = self._literals
        for outer in () if self._overlapping else literals:
            others = [other for other in literals if other != outer]
            inside = frozenset(other for other in others if other in outer)
            across = tuple(other for other in others if other not in outer and _runs_on_past(other, outer))
            if inside or across:
                self._hidden[outer] = (inside, across)


def _runs_on_past(literal: str, outer: str) -> bool:
    """Whether an occurrence of *literal* can start within one of *outer* and end after it."""
    return any(literal.startswith(outer[k:]) and len(literal) > len(outer) - k for k in range(len(outer)))


class LazyRegex:
    """A regex compiled on first use of :attr:`regex`, so that importing a module of patterns stays cheap."""

    __slots__ = ("source", "flags", "_regex")

    def __init__(self, source: str, flags: int = 0) -> None:
        self.source, self.flags = source, flags
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = re.compile(self.source, self.flags)
        return self._regex


class Scanned:
    """A text ready for many gated searches: the text and its lower case, in step (equal lengths, so
    a match's span holds in both, whichever of the two a pattern runs on), and the literals a
    :class:`LiteralScanner` found in it (None when none was run: gates then test substrings)."""

    __slots__ = ("found", "lowered", "text")

    def __init__(self, text: str, scanner: LiteralScanner | None = None, lowered: str | None = None) -> None:
        """*lowered*, when given, is *text*'s lower case (from :func:`lower_in_step` for a long text)."""
        self.text, self.lowered = (text, lowered) if lowered is not None else lower_in_step(text)
        self.found: set[str] | None = scanner.present(self.lowered) if scanner is not None else None


class Prefiltered:
    """A regex that runs only when one of its required literals occurs (:meth:`can_match`, the one
    gate); compiled on first use. It searches a :class:`Scanned` text (or a plain string).

    A pattern of alternatives (``quota exceeded|rate.?limit``) is searched branch by branch, each
    only when its own literals occur: the regex engine skips ahead to a branch's leading literal,
    where it would try every branch at every position of the text."""

    __slots__ = ("source", "flags", "literals", "_regex", "_on_lowered", "_gate", "_branches")

    def __init__(self, source: str, flags: int = re.I, literals: list[str] | object | None = ...) -> None:
        self.source, self.flags = source, flags
        if literals is ...:  # (verbose mode is not read: its spaces are not characters)
            literals = None if flags & re.X else required_literals(source)
        self.literals = tuple(literals) if literals is not None else None
        self._regex: re.Pattern[str] | None = None
        self._on_lowered = False
        self._gate: tuple[str, ...] | None = None  # what can_match() tests without a scan, if worth it
        self._branches: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] | None = None  # (gate, regex)

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled pattern: folded to lower case when it is case-insensitive and can be folded."""
        return self._regex or self._compile()

    def _compile(self) -> re.Pattern[str]:
        folded = fold_case(self.source) if self.flags & re.I else None
        self._on_lowered = folded is not None
        runs_as = self._runs_as(self.source)
        fast_start = starts_with_literal(runs_as) and (self._on_lowered or not self.flags & re.I)
        self._gate = None if fast_start else self.literals
        self._branches = self._split()
        self._regex = re.compile(runs_as, self._run_flags())
        return self._regex

    def _runs_as(self, source: str) -> str:
        """*source* as it runs: folded when the pattern runs on lower case, its leading ``\\b`` moved."""
        runs_as = fold_case(source) if self._on_lowered else source
        return runs_as if self.flags & re.X else boundary_after_literal(runs_as)

    def _run_flags(self) -> int:
        return self.flags & ~re.I if self._on_lowered else self.flags

    def _split(self) -> tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] | None:
        """The branches to search one by one, each with the pattern's literals one of which its
        matches contain; None when the pattern is searched whole."""
        alternatives = branches(self.source) if self.literals is not None else None
        if alternatives is None:
            return None
        split = []
        for alternative in alternatives:
            own = required_literals(alternative) or ()
            gate = tuple(literal for literal in self.literals if any(literal in mine for mine in own))
            if not gate:
                return None
            split.append((gate, re.compile(self._runs_as(alternative), self._run_flags())))
        return tuple(split)

    def can_match(self, subject: Scanned) -> bool:
        """Whether *subject* holds one of the required literals: by its scanner's findings when it
        has them, else by substring tests (none when the regex engine skips ahead to the pattern's
        literal start by itself)."""
        if subject.found is not None:
            return self.literals is None or not subject.found.isdisjoint(self.literals)
        if self._regex is None:
            self._compile()  # which sets the gate
        return self._gate is None or _any_in(self._gate, subject.lowered)

    def search(self, subject: Scanned | str) -> re.Match[str] | None:
        """The first match, or None. Read values by span (``text[m.start(1):m.end(1)]``):
        a folded pattern's groups are in lower case."""
        if isinstance(subject, str):  # a short value (a record field): searched as it is, no gate
            return (self._regex or self._compile()).search(subject.lower() if self._on_lowered else subject)
        found = subject.found
        if found is None:
            if not self.can_match(subject):
                return None
        elif self.literals is not None and found.isdisjoint(self.literals):  # can_match(), without a call
            return None
        regex = self._regex or self._compile()
        text = subject.lowered if self._on_lowered else subject.text
        return regex.search(text) if self._branches is None else self._search_branches(regex, subject, text)

    def _search_branches(self, regex: re.Pattern[str], subject: Scanned, text: str) -> re.Match[str] | None:
        """The first match, found as the leftmost of the branches' first matches (each searched only
        when one of its literals occurs), then matched there by the whole pattern: the same match."""
        found, lowered, start = subject.found, subject.lowered, len(text) + 1
        for gate, branch in self._branches:
            if found.isdisjoint(gate) if found is not None else not _any_in(gate, lowered):
                continue
            m = branch.search(text)
            if m is not None and m.start() < start:
                start = m.start()
        return regex.match(text, start) if start <= len(text) else None

    def findall(self, subject: Scanned) -> list:
        """All matches' groups; for case-sensitive patterns (a folded pattern's groups are lower case)."""
        found = subject.found
        if found is None:
            if not self.can_match(subject):
                return []
        elif self.literals is not None and found.isdisjoint(self.literals):  # can_match(), without a call
            return []
        return (self._regex or self._compile()).findall(subject.lowered if self._on_lowered else subject.text)


class PatternIndex:
    """A sequence of patterns, of which :meth:`matching` lists those a scanned text can match
    (in their original order), found by the literals the scan found rather than pattern by pattern."""

    __slots__ = ("patterns", "_always", "_by_literal", "_literals")

    def __init__(self, patterns: Iterable[Prefiltered]) -> None:
        self.patterns = tuple(patterns)
        self._always = frozenset(n for n, p in enumerate(self.patterns) if p.literals is None)
        self._by_literal: dict[str, list[int]] = {}  # literal -> the positions of the patterns needing it
        for n, pattern in enumerate(self.patterns):
            for literal in pattern.literals or ():
                self._by_literal.setdefault(literal, []).append(n)
        self._literals = frozenset(self._by_literal)

    def literals(self) -> set[str]:
        return set(self._literals)

    def matching(self, subject: Scanned) -> list[Prefiltered]:
        """The patterns that can match *subject*, scanned for (at least) these patterns' literals."""
        positions = set(self._always)
        for literal in subject.found.intersection(self._literals):
            positions.update(self._by_literal[literal])
        return [self.patterns[n] for n in sorted(positions)]


def _any_in(literals: tuple[str, ...], lowered: str) -> bool:
    for literal in literals:  # noqa: SIM110 - a plain loop beats any(): this runs a hundred times per error
        if literal in lowered:
            return True
    return False
