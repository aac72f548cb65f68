"""What a regex needs before it can match, read from its source.

- :func:`required_literals`: the literal words one of which every match contains (a prefilter);
- :func:`fold_case`: a case-insensitive pattern rewritten to run case-sensitively on lower-cased
  text (CPython's regex engine skips ahead to a literal prefix only without IGNORECASE);
- :func:`boundary_after_literal`: a leading ``\\b`` moved after the word it guards, so the engine
  can skip ahead to the word;
- :func:`starts_with_literal`: whether the engine can skip ahead by itself;
- :func:`lower_in_step`: a text and its lower case with equal lengths, for folded patterns.
"""

from __future__ import annotations

import re

try:  # the stdlib's own regex parser (CPython 3.11+); without it, every pattern just runs
    from re import _constants as _c
    from re import _parser
except ImportError:  # pragma: no cover
    _parser = None

MIN_LITERAL = 3
_PLAIN = r"""[\w \-:/,'"=<>@!%&#;`~]"""   # a pattern character that stands for itself
# the plain characters a pattern starts with, up to the first that is made optional or repeated
_LITERAL_RUN = rf"{_PLAIN}*?(?={_PLAIN}[?*+{{]|(?![?*+{{]|{_PLAIN}))"
_LEADING_RUN = re.compile(_LITERAL_RUN)
_UNFOLDABLE = re.compile(r"\\[xuUN]|\(\?[a-zA-Z]*-|\(\?[a-zA-Z]*[LAu]")  # hex/named escapes, scoped or odd flags


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Lower-case strings of which at least one occurs in any match, or None when unknown."""
    if _parser is None:
        return None
    try:
        parsed = _parser.parse(pattern, re.I)
    except re.error:
        return None
    found = _requirement(list(parsed))
    if not found:
        return None
    return tuple(sorted(lit for lit in found if not any(other in lit for other in found - {lit})))


def _requirement(items: list) -> set[str] | None:
    """The most selective set of literals (longest shortest member) one of which every match of
    the sequence *items* contains: a literal run, or one found inside a group or alternation."""
    options = [{run} for run in _runs(items) if len(run) >= MIN_LITERAL]
    for op, value in items:
        if op is _c.SUBPATTERN:
            options.append(_requirement(list(value[-1])))
        elif op is _c.BRANCH:
            alternatives = [_requirement(list(alternative)) for alternative in value[1]]
            if all(alternatives):
                options.append(set().union(*alternatives))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and value[0] >= 1:
            options.append(_requirement(list(value[2])))
    return max(filter(None, options), key=lambda option: min(map(len, option)), default=None)


def _runs(items: list) -> list[str]:
    runs, current = [], []
    for op, value in items:
        if op is _c.LITERAL:
            current.append(chr(value))
            continue
        runs.append("".join(current))
        current = []
    runs.append("".join(current))
    return [run.lower() for run in runs]


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


def boundary_after_literal(pattern: str) -> str:
    """*pattern* with each top-level alternative that starts with ``\\b`` and a word's literal
    characters rewritten to start with the characters, the boundary checked after them by a
    lookbehind: ``\\bmodels/`` runs as ``models/(?<!\\wmodels/)``. Same matches; but the regex
    engine now skips ahead to the characters instead of trying the boundary at every position."""
    alternatives = None if _VERBOSE.search(pattern) else _top_level_alternatives(pattern)
    if alternatives is None:
        return pattern
    rewritten = []
    for alternative in alternatives:
        m = _BOUNDED_WORD.match(alternative)
        if m and m.group(1):
            word = m.group(1)
            alternative = f"{word}(?<!\\w{word}){alternative[m.end():]}"
        rewritten.append(alternative)
    return "|".join(rewritten)


_BOUNDED_WORD = re.compile(rf"\\b(?=\w)({_LITERAL_RUN})")   # \b, then a literal run that starts a word
_VERBOSE = re.compile(r"\(\?[aiLmsu]*x")   # in verbose mode, spaces and # are not characters


def _top_level_alternatives(pattern: str) -> list[str] | None:
    """*pattern* split at its top-level ``|``; None when it holds a construct this does not follow."""
    alternatives, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 1
        elif c == "[":
            end = _class_end(pattern, i)
            if end is None:
                return None
            i = end
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            alternatives.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*alternatives, pattern[start:]] if depth == 0 else None


def _class_end(pattern: str, start: int) -> int | None:
    """The index of the ``]`` closing the character class opened at *start*."""
    i = start + 1
    if pattern[i:i + 1] == "^":
        i += 1
    if pattern[i:i + 1] == "]":   # a leading ] is a member
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]":
            return i
        i += 1
    return None


def starts_with_literal(pattern: str) -> bool:
    """True when every match of *pattern* begins with the same characters (at least MIN_LITERAL):
    the regex engine then skips ahead to them itself, and a prefilter only adds work."""
    run = _LEADING_RUN.match(pattern)   # None only when a quantifier comes first
    return "|" not in pattern and run is not None and run.end() >= MIN_LITERAL


def lower_in_step(text: str) -> tuple[str, str]:
    """*text* and its lower case with equal lengths, so a match in one has the same span in the other
    (the few characters whose lower case is longer, like 'İ', are lowered in the text itself)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        text = "".join(c if len(c.lower()) == 1 else c.lower() for c in text)
        lowered = text.lower()
    return text, lowered
