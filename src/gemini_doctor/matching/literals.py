"""What a regex needs before it can match, read from its source.

- :func:`required_literals`: the literal words one of which every match contains (a prefilter);
- :func:`fold_case`: a case-insensitive pattern rewritten to run case-sensitively on lower-cased
  text (CPython's regex engine skips ahead to a literal prefix only without IGNORECASE);
- :func:`starts_with_literal`: whether the engine can skip ahead by itself;
- :func:`lower_in_step`: a text and its lower case with equal lengths, for folded patterns.
"""

from __future__ import annotations

import re

try:  # the stdlib's own regex parser (CPython 3.11+); without it, every pattern just runs
    from re import _constants as _c, _parser
except ImportError:  # pragma: no cover
    _parser = None

MIN_LITERAL = 3
_PLAIN_PUNCTUATION = frozenset(" _-:/,'\"=<>@!%&#;`~")
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


def starts_with_literal(pattern: str) -> bool:
    """True when every match of *pattern* begins with the same characters (at least MIN_LITERAL):
    the regex engine then skips ahead to them itself, and a prefilter only adds work."""
    if "|" in pattern:
        return False
    run = 0
    while run < len(pattern) and (pattern[run].isalnum() or pattern[run] in _PLAIN_PUNCTUATION):
        run += 1
    if run < len(pattern) and pattern[run] in "?*+{":   # the last character is optional or repeated
        run -= 1
    return run >= MIN_LITERAL


def lower_in_step(text: str) -> tuple[str, str]:
    """*text* and its lower case with equal lengths, so a match in one has the same span in the other
    (the few characters whose lower case is longer, like 'İ', are lowered in the text itself)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        text = "".join(c if len(c.lower()) == 1 else c.lower() for c in text)
        lowered = text.lower()
    return text, lowered
