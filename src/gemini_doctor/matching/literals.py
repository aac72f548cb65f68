"""What a regex needs before it can match, read from its source.

- :func:`required_literals`: the literal words one of which every match contains (a prefilter),
  read by a small tokenizer of its own (the stdlib's regex parser is private), which gives up (no
  prefilter: the pattern always runs) on what it does not follow;
- :func:`fold_case`: a case-insensitive pattern rewritten to run case-sensitively on lower-cased
  text (CPython's regex engine skips ahead to a literal prefix only without IGNORECASE);
- :func:`boundary_after_literal`: a leading ``\\b`` moved after the word it guards, so the engine
  can skip ahead to the word;
- :func:`starts_with_literal`: whether the engine can skip ahead by itself;
- :func:`lower_in_step`: a text and its lower case with equal lengths, for folded patterns.
"""

from __future__ import annotations

import re

from ..datacache import DiskMemo

MIN_LITERAL = 3
_PLAIN = r"""[\w \-:/,'"=<>@!%&#;`~]"""  # a pattern character that stands for itself
# the plain characters a pattern starts with, up to the first that is made optional or repeated
_LITERAL_RUN = rf"{_PLAIN}*?(?={_PLAIN}[?*+{{]|(?![?*+{{]|{_PLAIN}))"
_LEADING_RUN = re.compile(_LITERAL_RUN)
_UNFOLDABLE = re.compile(
    r"\\[xuUN]|\(\?[a-zA-Z]*-|\(\?[a-zA-Z]*[LAu]"
)  # hex/named escapes, scoped or odd flags


class _Unsure(Exception):
    """A construct :func:`required_literals` does not read: the pattern gets no prefilter."""


# One token of a pattern: a run of characters that stand for themselves, an escape, a character
# class, a group's opening (or a whole comment, flag group or named back-reference), a quantifier, or
# any other single character.
_TOKEN = re.compile(
    r"""
    [^\\\[\](){}|*+?.^$]+
  | \\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|0[0-7]{0,2}|[0-7]{3}|[1-9][0-9]?|.)
  | \[\^?\]?(?:\\.|[^\]\\])*\]
  | \(\?\#[^)]*\) | \(\?P=\w+\) | \(\?[aiLmsux]+\) | \(\?[aiLmsux]*(?:-[imsx]+)?:
  | \(\?P<\w+> | \(\?<?[=!] | \(\?[>(] | \(
  | (?:[*+?]|\{(?!\})\d*(?:,\d*)?\})[?+]?
  | .
""",
    re.S | re.X,
)
_AT_LEAST_ONCE = re.compile(r"\+|\{0*[1-9]")  # a quantifier whose minimum is one or more
_NOT_READ = ("(?=", "(?!", "(?<=", "(?<!", "(?>")  # lookarounds and atomic groups: not required
_CHAR_ESCAPES = {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_CHAR, _OTHER = "char", "other"  # what a quantifier would apply to (besides a group's requirement)


def _required_literals(pattern: str) -> tuple[str, ...] | None:
    """Lower-case strings of which at least one occurs in any match, or None when unknown."""
    tokens = _TOKEN.findall(pattern)
    try:
        found, end = _alternation(tokens, 0)
    except _Unsure:
        return None
    if end != len(tokens) or not found:
        return None
    return tuple(sorted(lit for lit in found if not any(other in lit for other in found - {lit})))


def _tuple_or_none(answer: list[str] | None) -> tuple[str, ...] | None:
    return None if answer is None else tuple(answer)


# Reading a pattern costs about as much as compiling it, and the package's own patterns are read at
# every start-up: their answers are kept on disk, keyed by the package version and this module's code.
required_literals = DiskMemo("literals", _required_literals, [__file__], revive=_tuple_or_none)


def _alternation(tokens: list[str], i: int) -> tuple[set[str] | None, int]:
    """The requirement of the alternatives from *tokens[i]* to the closing ``)`` or the end (the union
    of theirs; None when one has none), and where they stop."""
    alternatives = []
    while True:
        found, i = _sequence(tokens, i)
        alternatives.append(found)
        if i == len(tokens) or tokens[i] == ")":
            return (set().union(*alternatives) if all(alternatives) else None), i
        i += 1  # past the |


def _sequence(tokens: list[str], i: int) -> tuple[set[str] | None, int]:
    """The most selective set of literals (longest shortest member) one of which every match of the
    sequence at *tokens[i]* contains: a run of literal characters, or one found inside a group."""
    options: list[set[str]] = []
    run: list[str] = []
    last: str | set[str] | None = (
        None  # what a quantifier would apply to: _CHAR, _OTHER or a group's requirement
    )
    while i < len(tokens) and tokens[i] not in ("|", ")"):
        token = tokens[i]
        i += 1
        if token[0] in "*+?" or (token[0] == "{" and len(token) > 1):
            if last is None:
                raise _Unsure
            if last is _CHAR:  # a quantified character leaves the run
                run[-1] = run[-1][:-1]
                _close(run, options)
            elif last is not _OTHER and _AT_LEAST_ONCE.match(token):
                options.append(last)
            last = None
            continue
        if isinstance(last, set):
            options.append(last)
        chars = _literal(token)
        if chars is not None:
            run.append(chars)
            last = _CHAR
            continue
        _close(run, options)
        last = _OTHER
        if token[0] != "(":
            continue  # a class, an anchor, a back-reference: the run ends
        if token == "(?(" or (token[-1] in "):" and token[2] in "aiLmsux-" and "x" in token):
            raise _Unsure  # conditionals and verbose mode are not read
        if token[-1] == ")":  # a comment, flags or a back-reference by name: no group
            continue
        found, i = _alternation(tokens, i)
        if i == len(tokens):
            raise _Unsure
        i += 1  # past the )
        if found and token not in _NOT_READ:
            last = found
    if isinstance(last, set):
        options.append(last)
    _close(run, options)
    return max(options, key=lambda option: min(map(len, option)), default=None), i


def _close(run: list[str], options: list[set[str]]) -> None:
    """End the literal *run* (its pieces): kept as an option when long enough."""
    chars = "".join(run)
    if len(chars) >= MIN_LITERAL:
        options.append({chars.lower()})
    run.clear()


def _literal(token: str) -> str | None:
    """The characters *token* stands for, or None when it is not fixed characters."""
    if token[0] not in "\\[.^$(":
        return token
    if token[0] == "[":  # a class of one character: [.] or [\\.]
        inner = token[1:-1]
        if len(inner) == 1 and inner not in "^\\":
            return inner
        return inner[1] if len(inner) == 2 and inner[0] == "\\" and not inner[1].isalnum() else None
    if token[0] != "\\":
        return None
    code = token[1:]
    if not code[0].isalnum():
        return code
    if code[0] in "xuU" and len(code) > 1:
        return chr(int(code[1:], 16))
    if code[0] == "0" or (len(code) == 3 and code.isdigit()):
        return chr(int(code, 8))
    return _CHAR_ESCAPES.get(code)


def fold_case(pattern: str) -> str | None:
    """*pattern* rewritten to match lower-cased text as it matched any text under IGNORECASE,
    or None when it uses a construct this cannot fold (hex or named escapes, scoped flags)."""
    if _UNFOLDABLE.search(pattern):
        return None
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\":  # an escape keeps its case: \S is not \s
            out.append(pattern[i : i + 2])
            i += 2
        elif pattern.startswith("(?P", i):  # named group syntax
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
            alternative = f"{word}(?<!\\w{word}){alternative[m.end() :]}"
        rewritten.append(alternative)
    return "|".join(rewritten)


_BOUNDED_WORD = re.compile(rf"\\b(?=\w)({_LITERAL_RUN})")  # \b, then a literal run that starts a word
_VERBOSE = re.compile(r"\(\?[aiLmsu]*x")  # in verbose mode, spaces and # are not characters


def _top_level_alternatives(pattern: str) -> list[str] | None:
    """*pattern* split at its top-level ``|``; None when it holds a construct this does not follow."""
    found = _alternatives(pattern, 0)
    return found[0] if found is not None and found[1] == len(pattern) else None


def _alternatives(pattern: str, start: int) -> tuple[list[str], int] | None:
    """The alternatives from *start* to the ``)`` that closes them (or the end), and where they stop;
    None when a group or class is left open, or a construct this does not follow."""
    alternatives, depth, i = [], 0, start
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
            if depth == 0:
                break
            depth -= 1
        elif c == "|" and depth == 0:
            alternatives.append(pattern[start:i])
            start = i + 1
        i += 1
    return None if depth else ([*alternatives, pattern[start:i]], i)


def branches(pattern: str) -> list[str] | None:
    """*pattern*'s top-level alternatives (or, for one that starts with a group of alternatives, those
    with the rest of the pattern after each), when each can run as a regex of its own and match where it
    matched as a branch of *pattern*; None when there is one, or a construct ties them together (global
    flags, back-references, verbose mode)."""
    if "|" not in pattern or _TIED.search(_ESCAPE.sub("", pattern)):
        return None
    alternatives = _top_level_alternatives(pattern)
    if alternatives == [pattern] and pattern.startswith("(?:"):
        alternatives = _distributed(pattern)
    return alternatives if alternatives is not None and len(alternatives) > 1 else None


def _distributed(pattern: str) -> list[str] | None:
    """A pattern that starts with a group of alternatives, ``(?:a|b)c``, as the alternatives ``ac`` and
    ``bc`` (a match of the pattern is a match of one of them, starting where it starts); None when the
    group is not closed or is quantified."""
    found = _alternatives(pattern, len("(?:"))
    if found is None or found[1] == len(pattern):
        return None
    inner, close = found
    rest = pattern[close + 1 :]
    return None if rest[:1] in ("?", "*", "+", "{") else [alternative + rest for alternative in inner]


_TIED = re.compile(r"\\[1-9]|\(\?P=|\(\?[aiLmsux]+\)|\(\?[aiLmsux-]*x|\(\?\(")  # see branches()
_ESCAPE = re.compile(r"\\\D")  # an escape that is no back-reference: \( is no group, \\ no escape


def _class_end(pattern: str, start: int) -> int | None:
    """The index of the ``]`` closing the character class opened at *start*."""
    i = start + 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":  # a leading ] is a member
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
    run = _LEADING_RUN.match(pattern)  # None only when a quantifier comes first
    return "|" not in pattern and run is not None and run.end() >= MIN_LITERAL


def lower_in_step(text: str) -> tuple[str, str]:
    """*text* and its lower case with equal lengths, so a match in one has the same span in the other
    (the few characters whose lower case is longer, like 'İ', are lowered in the text itself)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        text = "".join(c if len(c.lower()) == 1 else c.lower() for c in text)
        lowered = text.lower()
    return text, lowered
