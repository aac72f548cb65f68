"""The library API: ``explain(obj)`` for text, dict bodies, SDK exceptions and HTTP responses.

No Google SDK is imported: objects are read by duck typing, so this works with whatever
versions the user has (google-api-core before 2.44 raises on ``.reason`` for REST errors, so
only ``.details``/``.response``/``.message`` are read).
"""

from __future__ import annotations

import json

from .engine import Diagnosis, rank
from .evidence import parse_text

_MAX_CHAIN = 5


def explain(error: object, **known: str) -> Diagnosis:
    """Diagnose *error*. ``known`` may give values the error lacks (e.g. ``project="acme"``)."""
    return rank(parse_text(error_text(error)), extra_values=known)


def error_text(error: object) -> str:
    """Everything an object says about the error, as one text for the parser."""
    if isinstance(error, str):
        return error
    if isinstance(error, (bytes, bytearray)):
        return bytes(error).decode("utf-8", errors="replace")
    if isinstance(error, (dict, list)):
        return _dump(error)
    if isinstance(error, BaseException):
        return _exception_text(error)
    # an unread stream's .text raises
    if hasattr(error, "status_code") and (hasattr(type(error), "text") or hasattr(error, "text")):
        return _response_text(error)
    return str(error)


def _exception_text(exc: BaseException) -> str:
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < _MAX_CHAIN:
        seen.add(id(current))
        parts.append(f"{type(current).__module__}.{type(current).__qualname__}: {_safe_str(current)}")
        details = getattr(current, "details", None)
        if isinstance(details, (dict, list)) and details:
            parts.append(_dump(details))
        response = getattr(current, "response", None)
        if response is not None and hasattr(response, "status_code"):
            parts.append(_response_text(response))
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


def _response_text(response: object) -> str:
    """Status, URL and body of an httpx or requests response; what cannot be read (an unread stream,
    a response built without its request) is left out, and an unread stream stays unread."""
    body = _attribute(response, "text")
    url = _attribute(_attribute(response, "request"), "url") or _attribute(response, "url")
    return f"HTTP {_attribute(response, 'status_code')} {url}\n{body}"


def _attribute(obj: object, name: str) -> object:
    """``obj.name``, or "" when reading it raises (httpx raises RuntimeError and ResponseNotRead)."""
    try:
        return getattr(obj, name, "") if obj is not None else ""
    except Exception:  # noqa: BLE001 - a property of the user's object: anything may come out
        return ""


def _dump(value: object) -> str:
    try:
        return json.dumps(value, default=str)
    except (TypeError, ValueError, RecursionError):
        return repr(value)


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__ must not hide the error we were given
        return repr(exc.args)
