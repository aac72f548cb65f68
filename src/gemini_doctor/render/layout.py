"""One layout for people: a diagnosis dict becomes styled lines, for the terminal sinks to print."""

from __future__ import annotations

Line = tuple[str, str]   # (style, text); style "" is plain


def headline(parsed: dict) -> str:
    """One line naming what was read: code, status, reason, service, project, model."""
    bits = [str(parsed[k]) for k in ("code", "status") if k in parsed]
    if parsed.get("reasons"):
        bits.append(parsed["reasons"][0])
    for label, key in (("service", "service"), ("project", "project"), ("model", "model"), ("location", "location")):
        if key in parsed:
            bits.append(f"{label} {parsed[key]}")
    return " · ".join(bits) if bits else "no status code or reason found"


def diagnosis_lines(result: dict) -> list[Line]:
    """The terminal view of one explain result (the JSON form)."""
    out: list[Line] = [("bold", f"Read: {headline(result['parsed'])}")]
    message = result["parsed"].get("message")
    if message:
        out.append(("dim", f"      “{message[:300]}”"))
    out.append(("", ""))
    for n, cause in enumerate(result["causes"], 1):
        out.extend(cause_lines(n, cause, full=n == 1))
    if result.get("next_step"):
        out.append(("yellow", f"Next: {result['next_step']}"))
    return out


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
