"""Text from errors and answers made harmless for a terminal: no control character, escape sequence or
bidirectional override gets through; each is shown as a visible escape (``\\x1b``) instead."""

from __future__ import annotations

import re

from .matching.prefilter import LazyRegex

# C0 controls (tab aside), DEL, C1 controls, and the bidi embeddings, overrides and isolates
# (which can make text read differently from what it is); compiled on first use, as few texts need it
_UNSAFE = LazyRegex("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """*text* with every character a terminal would act on (rather than show) written as an escape."""
    if text.isprintable():  # none of them is printable: the common case costs no regex
        return text
    return _UNSAFE.regex.sub(_escape, text)


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
