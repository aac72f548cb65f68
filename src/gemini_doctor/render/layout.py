"""What every view shares: the View interface, styled lines, and the layout of a cause for people."""

from __future__ import annotations

from collections import namedtuple

from ..redact import redact

Line = tuple[str, str]  # (style, text); style "" is plain


class View(namedtuple("View", "lines markdown json_form", defaults=(None,))):
    """How one command's result (its JSON form) is shown: *lines* (result, options -> list of Line) for the
    terminal, *markdown* (-> str) for tickets, and *json_form* (dict -> dict, when set) picks what JSON shows.
    Each takes the result and the command's options as keywords, ignoring those it does not use; each view
    module ends with ``VIEW = View(...)``. (A namedtuple, not typing.NamedTuple: `explain` starts light.)"""

    __slots__ = ()


def one_line(value: str) -> str:
    """*value* on one line, redacted first (a secret wrapped over lines is still found before they are
    joined)."""
    return " ".join(redact(value).split())


def headline(parsed: dict) -> str:
    """One line naming what was read: code, status, reason, service, project, model."""
    bits = [str(parsed[k]) for k in ("code", "status") if k in parsed]
    if parsed.get("reasons"):
        bits.append(parsed["reasons"][0])
    for label, key in (
        ("service", "service"),
        ("project", "project"),
        ("model", "model"),
        ("location", "location"),
    ):
        if key in parsed:
            bits.append(f"{label} {parsed[key]}")
    return " · ".join(bits) if bits else "no status code or reason found"


def cause_lines(n: int, cause: dict, full: bool) -> list[Line]:
    """One cause: the first in full (why, evidence, fix, retry), the others briefly."""
    pct = f"{round(cause['confidence'] * 100)}%"
    out: list[Line] = [("bold cyan" if full else "cyan", f"{n}. {cause['title']}  [{cause['id']}, {pct}]")]
    if full:
        out.append(("", f"   {cause['why']}"))
    for line in cause["evidence"][: 4 if full else 2]:
        out.append(("green", f"   • {line}"))
    if full:
        out.append(("bold", "   Fix:"))
        for k, step in enumerate(cause["fix"], 1):
            out.append(("", f"   {k}. {step['step']}"))
            if "command" in step:
                out.append(("magenta", f"      $ {step['command']}"))
            if "url" in step:
                out.append(("blue", f"      {step['url']}"))
        out.append(("yellow", f"   Retry: {cause['retry_advice']}"))
    for check in cause["checks"][:2]:
        out.append(("dim", f"   Live check: {check}"))
    out.append(("", ""))
    return out
