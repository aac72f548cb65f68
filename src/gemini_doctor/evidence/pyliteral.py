"""Read a Python literal, such as google-genai's ``repr`` of an error body, without ``ast``.

The literal is respelt as JSON (quotes, ``True``/``False``/``None``, tuples) and handed to the C
JSON decoder, which is tens of times faster than ``ast.literal_eval``. Anything JSON cannot say
(bytes, sets, ``\\U`` escapes, ``inf``) falls back to ``ast.literal_eval``, so the result is the same.
"""

from __future__ import annotations

import json
import re

_MAX_SPAN = 200_000
_TOKEN = re.compile(  # a quoted string (its escapes unrolled, which the regex engine runs fastest), a bracket, a word
    r"""'([^'\\]*(?:\\.[^'\\]*)*)'|"([^"\\]*(?:\\.[^"\\]*)*)"|([\[\]{}()])|\b(True|False|None)\b""", re.S)
_ESCAPE = re.compile(r"""\\(x[0-9a-fA-F]{2}|.)|(")""", re.S)   # an escape pair, or a bare double quote
_WORDS = {"True": "true", "False": "false", "None": "null"}
_BRACKETS = {"(": "[", ")": "]"}


def read_literal(text: str, start: int) -> tuple[object, int] | None:
    """The literal whose opening bracket is at *start*, and the offset just past it; None when it
    does not close or is not a literal."""
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


def _as_json(text: str, start: int) -> tuple[str, int] | None:
    """The literal at *start* respelt as JSON, and where it ends (quoted strings skipped whole)."""
    parts, depth, copied = [], 0, start
    for m in _TOKEN.finditer(text, start, min(len(text), start + _MAX_SPAN)):
        parts.append(text[copied:m.start()])
        copied = m.end()
        single, double, bracket, word = m.groups()
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
                content = _ESCAPE.sub(_json_escape, content)
            parts.append(f'"{content}"')
    return None


def _json_escape(m: re.Match[str]) -> str:
    escaped, double_quote = m.groups()
    if double_quote:
        return '\\"'
    if escaped == "'":
        return "'"
    if len(escaped) == 3:            # \xhh
        return f"\\u00{escaped[1:]}"
    return "\\" + escaped             # \\, \n, \uhhhh ... are the same in JSON
