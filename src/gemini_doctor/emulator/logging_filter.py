"""Cloud Logging's query language, for the fields the emulator's audit entries carry.

Supported: comparisons ``field OP value`` with OP in ``= != > < >= <= :`` (``:`` is "has": a
case-insensitive substring), quoted or bare values, a parenthesised value list
(``field=("a" OR "b")``), ``AND``, ``OR``, ``NOT`` / ``-``, parentheses, and juxtaposition (lines)
as AND. ``timestamp`` compares as time, ``severity`` by level, numbers as numbers. Anything else
raises :class:`FilterError`, which the API turns into Google's INVALID_ARGUMENT.
"""

from __future__ import annotations

import re
from datetime import datetime

MAX_FILTER = 20_000
SEVERITIES = ("DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY")
_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<op>>=|<=|!=|=~|!~|[=<>:()])|(?P<word>[^\s"()=<>:!]+))'
)
_OPS = {"=", "!=", ">", "<", ">=", "<=", ":"}


class FilterError(ValueError):
    """The filter is not valid (or uses what the emulator does not support)."""


def parse_filter(text: str):
    """A predicate over a LogEntry dict for *text* (an empty filter matches every entry)."""
    if len(text) > MAX_FILTER:
        raise FilterError(f"filter is longer than {MAX_FILTER} characters")
    parser = _Parser(_tokens(text))
    if parser.done():
        return lambda entry: True
    predicate = parser.expression()
    if not parser.done():
        raise FilterError(f"unexpected {parser.peek()!r}")
    return predicate


def _tokens(text: str) -> list[tuple[str, str]]:
    out, at = [], 0
    while at < len(text):
        m = _TOKEN.match(text, at)
        if m is None or m.end() == at:
            if text[at:].strip():
                raise FilterError(f"cannot read the filter at {text[at : at + 20]!r}")
            break
        at = m.end()
        kind = m.lastgroup
        if kind == "str":
            out.append(("value", re.sub(r"\\(.)", r"\1", m.group(kind)[1:-1])))
        elif kind == "op":
            out.append(("op", m.group(kind)))
        elif kind == "word":
            word = m.group(kind)
            out.append(("kw", word) if word in ("AND", "OR", "NOT") else ("word", word))
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.at = tokens, 0

    def done(self) -> bool:
        return self.at >= len(self.tokens)

    def peek(self) -> tuple[str, str] | None:
        return None if self.done() else self.tokens[self.at]

    def take(self) -> tuple[str, str]:
        if self.done():
            raise FilterError("the filter ends too early")
        self.at += 1
        return self.tokens[self.at - 1]

    def expression(self):
        terms = [self.conjunction()]
        while self.peek() == ("kw", "OR"):
            self.take()
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else (lambda entry: any(term(entry) for term in terms))

    def conjunction(self):
        terms = [self.negation()]
        while not self.done() and self.peek() not in (("kw", "OR"), ("op", ")")):
            if self.peek() == ("kw", "AND"):
                self.take()
            terms.append(self.negation())
        return terms[0] if len(terms) == 1 else (lambda entry: all(term(entry) for term in terms))

    def negation(self):
        token = self.peek()
        if token == ("kw", "NOT") or (
            token and token[0] == "word" and token[1].startswith("-") and len(token[1]) > 1
        ):
            if token[1] == "NOT":
                self.take()
            else:
                self.tokens[self.at] = ("word", token[1][1:])
            inner = self.negation()
            return lambda entry: not inner(entry)
        return self.primary()

    def primary(self):
        kind, text = self.take()
        if (kind, text) == ("op", "("):
            inner = self.expression()
            if self.take() != ("op", ")"):
                raise FilterError("a parenthesis is not closed")
            return inner
        if kind != "word":
            raise FilterError(f"unexpected {text!r}")
        if self.peek() is None or self.peek()[0] != "op" or self.peek()[1] not in _OPS:
            raise FilterError(f"{text!r} needs a comparison (free-text search is not supported)")
        op = self.take()[1]
        values = self.values()
        path = text.split(".")
        return lambda entry: any(_compare(_field(entry, path), op, value, path[-1]) for value in values)

    def values(self) -> list[str]:
        if self.peek() != ("op", "("):
            kind, text = self.take()
            if kind not in ("value", "word"):
                raise FilterError(f"a value is missing before {text!r}")
            return [text]
        self.take()
        values = []
        while True:
            kind, text = self.take()
            if kind not in ("value", "word"):
                raise FilterError(f"a value is missing before {text!r}")
            values.append(text)
            token = self.take()
            if token == ("op", ")"):
                return values
            if token != ("kw", "OR"):
                raise FilterError("a value list takes OR between its values")


def _field(entry: dict, path: list[str]) -> object:
    value: object = entry
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _compare(actual: object, op: str, wanted: str, name: str) -> bool:
    if actual is None or isinstance(actual, (dict, list)):
        return op == "!=" and actual is None
    if op == ":":
        return wanted.lower() in str(actual).lower()
    left, right = _ordered(actual, wanted, name)
    if left is None:
        return False
    return {
        "=": left == right,
        "!=": left != right,
        ">": left > right,
        "<": left < right,
        ">=": left >= right,
        "<=": left <= right,
    }[op]


def _ordered(actual: object, wanted: str, name: str) -> tuple[object, object]:
    """Both sides in a form that compares as Cloud Logging compares that field (None: cannot)."""
    if name == "severity":
        if str(actual) in SEVERITIES and wanted.upper() in SEVERITIES:
            return SEVERITIES.index(str(actual)), SEVERITIES.index(wanted.upper())
        return None, None
    if name.endswith("imestamp"):
        try:
            return _time(str(actual)), _time(wanted)
        except ValueError:
            raise FilterError(f"{wanted!r} is not a timestamp") from None
    if isinstance(actual, (int, float)) and not isinstance(actual, bool):
        try:
            return actual, float(wanted)
        except ValueError:
            return None, None
    return str(actual), wanted


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
