"""Read a Python literal, such as google-genai's ``repr`` of an error body, without ``ast``.

The literal is respelt as JSON and handed to the C JSON decoder, which is tens of times faster
than ``ast.literal_eval``. Most reprs quote every string with ``'``; for them, swapping the two
quote characters is the whole respelling (see :func:`_read_swapped`). Others are respelt token by
token (quotes, ``True``/``False``/``None``, tuples). Anything JSON cannot say (bytes, sets, ``\\U``
escapes, ``inf``) falls back to ``ast.literal_eval``, so the result is the same.
"""

from __future__ import annotations

import json
import re

from ..matching.prefilter import LazyRegex

_MAX_SPAN = 200_000
_DECODER = json.JSONDecoder()
# A quoted string (its escapes unrolled, which the regex engine runs fastest), a bracket, a word, or a
# quote that never closes (which ends the reading: trying again from each later quote would be quadratic)
_TOKEN = LazyRegex(
    r"""'([^'\\]*(?:\\.[^'\\]*)*)'|"([^"\\]*(?:\\.[^"\\]*)*)"|([\[\]{}()])|\b(True|False|None)\b|(['"])""",
    re.S,
)
_ESCAPE = LazyRegex(r"""\\(x[0-9a-fA-F]{2}|.)|(")""", re.S)  # an escape pair, or a bare double quote
_WORDS = {"True": "true", "False": "false", "None": "null"}
_BRACKETS = {"(": "[", ")": "]"}
_QUOTES_SWAPPED = str.maketrans("'\"", "\"'")


def read_literal(text: str, start: int) -> tuple[object, int] | None:
    """The literal whose opening bracket is at *start*, and the offset just past it; None when it
    does not close or is not a literal."""
    swapped = _read_swapped(text, start)
    if swapped is not None:
        return swapped
    respelt = _as_json(text, start)
    if respelt is None:
        return None
    json_text, end = respelt
    try:
        return json.loads(json_text), end
    except (ValueError, RecursionError):
        pass
    import ast

    try:
        return ast.literal_eval(text[start:end]), end
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _read_swapped(text: str, start: int) -> tuple[object, int] | None:
    """The literal at *start* read as JSON with ``'`` and ``"`` swapped, then swapped back in every
    string; None when that is not JSON. It is JSON only when every string was single-quoted and
    holds no escape JSON lacks, and then the swap is exact: an escaped ``\\'`` becomes ``\\"``,
    which JSON reads as the quote that swapping back restores. No ``True``/``None``/tuples here."""
    span = text[start : start + _MAX_SPAN]
    if "\0" in span:  # the swap below passes through NUL (three replaces are 8x faster than translate)
        return None
    try:
        value, end = _DECODER.raw_decode(span.replace("'", "\0").replace('"', "'").replace("\0", '"'))
    except (ValueError, RecursionError):
        return None
    literal = span[:end]
    if '"' not in literal and "\\" not in literal:  # no string can hold a quote: nothing to swap back
        return value, start + end
    return _swap_back(value), start + end


def _swap_back(value: object) -> object:
    if isinstance(value, str):
        return value.translate(_QUOTES_SWAPPED) if "'" in value or '"' in value else value
    if isinstance(value, dict):
        return {_swap_back(key): _swap_back(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_swap_back(item) for item in value]
    return value


def _as_json(text: str, start: int) -> tuple[str, int] | None:
    """The literal at *start* respelt as JSON, and where it ends (quoted strings skipped whole)."""
    parts, depth, copied = [], 0, start
    for m in _TOKEN.regex.finditer(text, start, min(len(text), start + _MAX_SPAN)):
        parts.append(text[copied : m.start()])
        copied = m.end()
        single, double, bracket, word, unclosed = m.groups()
        if unclosed:
            return None
        if bracket:
            parts.append(_BRACKETS.get(bracket, bracket))
            depth += 1 if bracket in "[{(" else -1
            if depth == 0:
                return "".join(parts), copied
        elif word:
            parts.append(_WORDS[word])
        else:
            content = single if single is not None else double
            if "\\" in content or '"' in content:
                content = _ESCAPE.regex.sub(_json_escape, content)
            parts.append(f'"{content}"')
    return None


def _json_escape(m: re.Match[str]) -> str:
    escaped, double_quote = m.groups()
    if double_quote:
        return '\\"'
    if escaped == "'":
        return "'"
    if len(escaped) == 3:  # \xhh
        return f"\\u00{escaped[1:]}"
    return "\\" + escaped  # \\, \n, \uhhhh ... are the same in JSON
