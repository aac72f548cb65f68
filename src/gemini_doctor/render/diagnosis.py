"""The ``explain`` view: what was read from the error, then the ranked causes (the first in full)."""

from __future__ import annotations

from .layout import Line, View, cause_lines, headline
from .markdown import cause_markdown, text


def diagnosis_lines(result: dict, **_: object) -> list[Line]:
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


def diagnosis_markdown(result: dict, **_: object) -> str:
    """The explain result for a ticket: what was read, the quoted message, every cause, the next step."""
    parsed = result["parsed"]
    out = ["## gemini-doctor diagnosis", "", f"**Error read:** {text(headline(parsed))}"]
    if parsed.get("message"):
        out += ["", "> " + text(parsed["message"][:500])]
    for n, cause in enumerate(result["causes"], 1):
        out += cause_markdown(n, cause)
    if result.get("next_step"):
        out += ["", f"**Next:** {text(result['next_step'])}"]
    return "\n".join(out) + "\n"


VIEW = View(diagnosis_lines, diagnosis_markdown)
