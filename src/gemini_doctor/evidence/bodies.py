"""Find google.rpc.Status bodies and their ``details`` entries inside arbitrary text.

Handles plain JSON, a one-element list of bodies, bodies escaped inside another tool's JSON
envelope (one or more levels of string escaping), and Python ``repr`` forms (google-genai's
``str(ClientError)``, google-api-core's REST detail lists). Text that is too broken to parse
(terminal line wraps inside a string, truncation) is left to :mod:`gemini_doctor.evidence.loose`.
"""

from __future__ import annotations

import json
import re
from itertools import islice

from ..matching.prefilter import LazyRegex
from .pyliteral import read_literal

_MAX_STARTS = 40  # candidate object starts tried per text layer
_MAX_DEPTH = 4  # levels of escaped JSON inside JSON strings
_DECODER = json.JSONDecoder()
_PY_OPENING = LazyRegex(r"""[\[{(][\s\[{(]{0,64}'""")  # a Python literal's opening: brackets, then a quote
_MARKERS = ('"error', "'error", "@type")  # what _STARTS needs (escaped forms contain them too)
# Where a body or detail entry may begin, one regex per bracket: led by a literal, the regex engine
# skips ahead to it (a class [\[{] is tried at every character, 6x slower). No two such openings overlap.
_STARTS = tuple(
    re.compile(bracket + r"""\s*\\{0,7}["'](?:error|@type)\\{0,7}["']\s*:""") for bracket in (r"\{", r"\[")
)


class Found:
    """Normalised bodies ({"code", "status", "message", "details"}) and detail entries seen outside
    any body."""

    __slots__ = ("bodies", "details")

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.details: list[dict] = []


def find_bodies(text: str) -> Found:
    """Every Status body and stray detail entry in *text*, outermost first."""
    found = Found()
    _scan(text, found, depth=0)
    return found


def _scan(text: str, found: Found, depth: int) -> None:
    if depth > _MAX_DEPTH or ("error" not in text and "@type" not in text):
        return
    stripped = text.strip()
    whole = _parse_object(stripped, 0) if stripped[:1] in "[{" else None
    if whole is not None and whole[1] >= len(stripped):
        _walk(whole[0], found, depth)
        return
    for marker in _MARKERS:  # (a loop: any() would make a generator for each text)
        if marker in text:
            break
    else:  # no marker: no body or detail entry starts in the text
        return
    end_of_last = 0
    starts = [match.start() for regex in _STARTS for match in islice(regex.finditer(text), _MAX_STARTS)]
    for start in sorted(starts)[:_MAX_STARTS]:
        if start < end_of_last:
            continue
        parsed = _parse_object(text, start)
        if parsed is not None:
            _walk(parsed[0], found, depth)
            end_of_last = parsed[1]


def _parse_object(text: str, start: int) -> tuple[object, int] | None:
    """Parse a JSON value or Python literal starting at *start*; return it and its end offset.

    Only an opening with a single-quoted key is tried as a Python literal (``repr`` quotes keys so);
    JSON broken by a terminal's line wraps is left to the loose reader at once.
    """
    try:
        value, end = _DECODER.raw_decode(text, start)
        return value, end
    except (ValueError, RecursionError):
        pass
    return read_literal(text, start) if _PY_OPENING.regex.match(text, start) else None


def _walk(value: object, found: Found, depth: int, _level: int = 0) -> None:
    if _level > 40:
        return
    if isinstance(value, dict):
        inner = value.get("error")
        if "@type" in value:
            found.details.append(value)
            return
        if not isinstance(inner, dict) and "message" in value and ("code" in value or "status" in value):
            _add_body(value, found, depth)
            return
        if isinstance(inner, dict):
            _add_body(inner, found, depth)
        for key, item in value.items():
            if key != "error":
                _walk(item, found, depth, _level + 1)
    elif isinstance(value, list):
        for item in value[:50]:
            _walk(item, found, depth, _level + 1)
    elif isinstance(value, str) and ("error" in value or "@type" in value) and "{" in value:
        _scan(value, found, depth + 1)


def _add_body(raw: dict, found: Found, depth: int) -> None:
    code, status, message = raw.get("code"), raw.get("status"), raw.get("message")
    if isinstance(code, str) and not code.isdigit():
        status, code = status or code, None
    if isinstance(status, int):
        code, status = code or status, None
    details = raw.get("details")
    body = {
        "code": int(code) if isinstance(code, (int, str)) and str(code).isdigit() else None,
        "status": status if isinstance(status, str) else None,
        "message": message if isinstance(message, str) else None,
        "details": [d for d in details if isinstance(d, dict)] if isinstance(details, list) else [],
    }
    if body["message"] and "{" in body["message"] and "error" in body["message"]:
        before = len(found.bodies)
        _scan(body["message"], found, depth + 1)
        if len(found.bodies) > before:  # the message was itself a body: keep the inner one only
            return
    if any(body.values()):
        found.bodies.append(body)
