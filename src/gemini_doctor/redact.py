"""Secret redaction: the one place that decides what a key or token may look like in output.

Every renderer passes its final text through :func:`redact`, and the parser stores only
:func:`mask` forms, so a secret in the input never reaches a terminal, a file or a log.
"""

from __future__ import annotations

import re

from .matching.prefilter import LiteralScanner

_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.S)
# One pattern per kind, each starting with its literal, so the regex engine can skip ahead and a
# text without the literal costs one substring test. The word boundary before the literal is
# checked after it, by a lookbehind (a leading \b would make the engine try every position).
_TOKENS = (  # (kind, literal, pattern)
    ("key", "AIza", re.compile(r"AIza[0-9A-Za-z_\-]{20,}")),                                       # Google API key
    ("express_key", "AQ.", re.compile(r"AQ\.(?<!\wAQ\.)[0-9A-Za-z_\-\.]{15,}[0-9A-Za-z_\-]")),  # Vertex express key
    ("oauth_access_token", "ya29.", re.compile(r"ya29\.(?<!\wya29\.)[0-9A-Za-z_\-\.]{9,}[0-9A-Za-z_\-]")),  # OAuth token
    ("refresh_token", "1//", re.compile(r"1//(?<!\w1//)[0-9A-Za-z_\-]{10,}")),                   # OAuth refresh token
    ("jwt", "eyJ", re.compile(r"eyJ(?<!\weyJ)[0-9A-Za-z_\-]{8,}\.[0-9A-Za-z_\-]{8,}\.[0-9A-Za-z_\-]{8,}")),  # signed JWT
)
_VALUE = r"""(?P<value>[^&\s"',}]{6,})"""
# ?key=… and &access_token=…: one pattern per leading character, as a literal start lets the
# regex engine skip ahead (a leading [?&] class would make it try every position)
_PARAMETERS = tuple(re.compile(rf"(?P<name>{lead}(?i:key|access_token|refresh_token)=)" + _VALUE) for lead in (r"\?", "&"))
_FIELD_NAMES = ("client_secret", "refresh_token", "access_token", "private_key")
# every literal (in lower case) without which none of the patterns here can match
_TRIGGERS = LiteralScanner([*(literal.lower() for _, literal, _ in _TOKENS), "private key", "key=", "token=", *_FIELD_NAMES])
_FIELD = re.compile(r"""(?P<name>["']?(?:client_secret|refresh_token|access_token|private_key)["']?\s*[:=]\s*["']?)""" + _VALUE, re.I)


def mask(secret: str) -> str:
    """Show a secret as its kind prefix and last four characters, e.g. ``AIza…x9Qz``."""
    secret = secret.strip()
    for prefix in ("AIza", "AQ.", "ya29.", "1//", "eyJ"):
        if secret.startswith(prefix):
            break
    else:
        prefix = ""
    if len(secret) <= len(prefix) + 8:
        return f"{prefix}…" if prefix else "…"
    return f"{prefix}…{secret[-4:]}"


def redact(text: str) -> str:
    """Replace every key, token, refresh token and private key in *text* by its masked form."""
    return _redact(text, None)


def redact_noting(text: str) -> tuple[str, dict[str, str]]:
    """:func:`redact`, and the masked form of the first key or token of each kind it replaced
    (``key``, ``express_key``, ``oauth_access_token``, ``refresh_token``, ``jwt``)."""
    masked: dict[str, str] = {}
    return _redact(text, masked), masked


def _redact(text: str, masked: dict[str, str] | None) -> str:
    if not text:
        return text
    found = _TRIGGERS.present(text.lower())   # one pass decides which of the patterns below can match
    if not found:
        return text
    if "private key" in found:
        text = _PRIVATE_KEY.sub("-----BEGIN PRIVATE KEY----- [redacted]", text)
    for kind, literal, pattern in _TOKENS:
        if literal.lower() in found:
            text = pattern.sub(lambda m, kind=kind: _mask_noting(m.group(0), kind, masked), text)
    if "key=" in found or "token=" in found:
        for parameter in _PARAMETERS:
            text = parameter.sub(_mask_named, text)
    if not found.isdisjoint(_FIELD_NAMES):
        text = _mask_fields(text, text.lower())
    return text


def _mask_noting(secret: str, kind: str, masked: dict[str, str] | None) -> str:
    shown = mask(secret)
    if masked is not None:
        masked.setdefault(kind, shown)
    return shown


def _mask_fields(text: str, lowered: str) -> str:
    """`"refresh_token": "…"` and the like. The names also occur in plain words (access_token_invalid),
    so the pattern is tried only where a name starts, never scanned across the whole text."""
    matches = []
    for name in _FIELD_NAMES:
        pos = lowered.find(name)
        while pos != -1:
            m = _FIELD.match(text, pos - 1 if pos and text[pos - 1] in "\"'" else pos)
            if m:
                matches.append(m)
            pos = lowered.find(name, pos + len(name))
    limit = len(text)
    for m in sorted(matches, key=lambda m: m.start(), reverse=True):
        if m.end() <= limit:          # never splice overlapping matches
            text = text[:m.start()] + _mask_named(m) + text[m.end():]
            limit = m.start()
    return text


def _mask_named(m: re.Match[str]) -> str:
    value = m.group("value")
    return m.group("name") + (value if "…" in value else mask(value))
