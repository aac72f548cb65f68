"""Secret redaction: the one place that decides what a key or token may look like in output.

Every renderer passes its final text through :func:`redact`, and the parser stores only
:func:`mask` forms, so a secret in the input never reaches a terminal, a file or a log.
"""

from __future__ import annotations

import re

_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.S)
# (literal that must occur, pattern): one pattern per kind, each starting with its literal, so the
# regex engine can skip ahead and a text without the literal costs one substring test.
_TOKENS = (  # (kind, literal, pattern)
    ("key", "AIza", re.compile(r"AIza[0-9A-Za-z_\-]{20,}")),                                       # Google API key
    ("express_key", "AQ.", re.compile(r"\bAQ\.[0-9A-Za-z_\-\.]{15,}[0-9A-Za-z_\-]")),             # Vertex express key
    ("oauth_access_token", "ya29.", re.compile(r"\bya29\.[0-9A-Za-z_\-\.]{9,}[0-9A-Za-z_\-]")),   # OAuth access token
    ("refresh_token", "1//", re.compile(r"\b1//[0-9A-Za-z_\-]{10,}")),                            # OAuth refresh token
    ("jwt", "eyJ", re.compile(r"\beyJ[0-9A-Za-z_\-]{8,}\.[0-9A-Za-z_\-]{8,}\.[0-9A-Za-z_\-]{8,}")),  # signed JWT
)
_VALUE = r"""(?P<value>[^&\s"',}]{6,})"""
# (literals of which one must occur, lower-cased; pattern): secrets named by a parameter or field
_NAMED = (
    (("key=", "token="), re.compile(r"(?P<name>[?&](?:key|access_token|refresh_token)=)" + _VALUE, re.I)),
    (("client_secret", "refresh_token", "access_token", "private_key"),
     re.compile(r"""(?P<name>["']?(?:client_secret|refresh_token|access_token|private_key)["']?\s*[:=]\s*["']?)""" + _VALUE, re.I)),
)


def secrets_in(text: str) -> dict[str, str]:
    """The first secret of each kind found in *text*, by kind (for the parser to mask, never to show)."""
    found = {}
    for kind, literal, pattern in _TOKENS:
        if literal in text and (m := pattern.search(text)):
            found[kind] = m.group(0)
    return found


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
    if not text:
        return text
    if "PRIVATE KEY" in text:
        text = _PRIVATE_KEY.sub("-----BEGIN PRIVATE KEY----- [redacted]", text)
    for _, literal, pattern in _TOKENS:
        if literal in text:
            text = pattern.sub(lambda m: mask(m.group(0)), text)
    lowered = text.lower()
    for hints, pattern in _NAMED:
        if any(hint in lowered for hint in hints):
            text = pattern.sub(_mask_named, text)
    return text


def _mask_named(m: re.Match[str]) -> str:
    value = m.group("value")
    return m.group("name") + (value if "…" in value else mask(value))
