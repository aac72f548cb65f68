"""Secret redaction: the one place that decides what a key or token may look like in output.

Every renderer passes its final text through :func:`redact`, and the parser stores only
:func:`mask` forms, so a secret in the input never reaches a terminal, a file or a log.
"""

from __future__ import annotations

import re

_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.S
)
_SECRET_TOKENS = re.compile(
    r"""
    (?P<apikey>AIza[0-9A-Za-z_\-]{20,})                      # Google API key
  | (?P<express>\bAQ\.[0-9A-Za-z_\-\.]{15,}[0-9A-Za-z_\-])                   # Vertex express / bound key
  | (?P<oauth>\bya29\.[0-9A-Za-z_\-\.]{9,}[0-9A-Za-z_\-])                  # OAuth access token
  | (?P<refresh>\b1//[0-9A-Za-z_\-]{10,})                     # OAuth refresh token
  | (?P<jwt>\beyJ[0-9A-Za-z_\-]{8,}\.[0-9A-Za-z_\-]{8,}\.[0-9A-Za-z_\-]{8,})  # signed JWT
    """,
    re.X,
)
_NAMED_SECRET = re.compile(
    r"""(?P<name>[?&](?:key|access_token|refresh_token)=|["']?(?:client_secret|refresh_token|access_token|private_key)["']?\s*[:=]\s*["']?)(?P<value>[^&\s"',}]{6,})""",
    re.I,
)


_SECRET_HINTS = ("aiza", "aq.", "ya29.", "1//", "eyj", "private key", "key=", "token", "secret")


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
    lowered = text.lower() if text else ""
    if not any(hint in lowered for hint in _SECRET_HINTS):
        return text
    text = _PRIVATE_KEY.sub("-----BEGIN PRIVATE KEY----- [redacted]", text)
    text = _SECRET_TOKENS.sub(lambda m: mask(m.group(0)), text)
    return _NAMED_SECRET.sub(
        lambda m: m.group("name") + (m.group("value") if "…" in m.group("value") else mask(m.group("value"))),
        text,
    )
