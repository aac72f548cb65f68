"""Markdown for forums and support tickets: what every view's markdown is made of.

Text from the error is data, never markup: no raw HTML, link or image can come through
(:func:`text`), and no input can close the fence around a command (:func:`code_block`).
"""

from __future__ import annotations

import re

from ..redact import redact
from ..textsafe import printable

_MARKUP = re.compile(r"[\\<>&\[\]|\n\r]")
_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "\n": " ", "\r": " "}
_TICKS = re.compile(r"`+")


def text(value: str) -> str:
    """*value* as one line of markdown prose: HTML, links and images shown as text, not made.
    (Secrets are redacted first, while their surroundings still read as they came.)"""
    return printable(_MARKUP.sub(lambda m: _ESCAPES.get(m.group(0)) or "\\" + m.group(0), redact(value)))


def code_block(code: str, indent: str = "", info: str = "sh") -> list[str]:
    """*code* (one line) in a fence longer than any run of backticks in it."""
    code = printable(code)
    fence = "`" * max(3, 1 + max(map(len, _TICKS.findall(code)), default=0))
    return [f"{indent}{fence}{info}", f"{indent}{code}", f"{indent}{fence}"]


def cause_markdown(n: int, cause: dict) -> list[str]:
    """One cause: title, why, evidence, numbered fix steps with their commands and links, retry."""
    out = [
        "",
        f"### {n}. {text(cause['title'])} (`{cause['id']}`, {round(cause['confidence'] * 100)}%)",
        "",
        text(cause["why"]),
        "",
    ]
    out += [f"- {text(line)}" for line in cause["evidence"]]
    if cause["fix"]:
        out += ["", "**Fix:**", ""]
        for k, step in enumerate(cause["fix"], 1):
            out.append(f"{k}. {text(step['step'])}")
            if "command" in step:
                out += code_block(step["command"], "   ")
            if "url" in step:
                out.append(f"   <{printable(step['url'])}>")  # filled with checked, encoded values
    return out + ["", f"**Retry:** {text(cause['retry_advice'])}"]
