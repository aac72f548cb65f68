"""The check report for people: the credential, a checklist, traps, then the causes (as explain shows them)."""

from __future__ import annotations

from .layout import Line, cause_lines

MARKS = {"ok": ("green", "✓"), "fail": ("red", "✗"), "could_not_check": ("yellow", "?"), "skipped": ("dim", "-")}


def credential_line(credential: dict) -> str:
    shown = {k: v for k, v in credential.items() if v and k not in ("kind", "project_source")}
    if "project" in shown and credential.get("project_source"):
        shown["project"] = f"{shown['project']} (from {credential['project_source']})"
    who = ", ".join(f"{k} {v}" for k, v in shown.items())
    return f"Credential: {credential.get('kind') or 'none'}" + (f" ({who})" if who else "")


def check_lines(result: dict) -> list[Line]:
    out: list[Line] = [("bold", credential_line(result["credential"])), ("", "")]
    for check in result["checks"]:
        style, mark = MARKS.get(check["status"], ("", "·"))
        out.append((style, f"  {mark} {check['title']}: {check['summary']}  ({check['duration_ms']} ms)"))
    for trap in result["traps"]:
        out.append(("yellow", f"  ! {trap['message']}"))
    out += [("", ""), ("bold green" if result["healthy"] else "bold red", result["summary"]), ("", "")]
    for n, cause in enumerate(result["causes"], 1):
        out.extend(cause_lines(n, cause, full=n == 1))
    out.append(("dim", f"{result['requests']} requests in {result['elapsed_ms']} ms"))
    return out


def check_markdown(result: dict) -> str:
    from ..redact import redact
    from .markdown import cause_markdown, text

    lines = ["## gemini-doctor check", "", f"**{text(result['summary'])}**", "", text(credential_line(result["credential"])), "",
             "| check | status | result |", "|---|---|---|"]
    lines += [f"| {text(c['title'])} | {c['status']} | {text(c['summary'])} |" for c in result["checks"]]
    lines += [""] + [f"- ⚠ {text(t['message'])}" for t in result["traps"]]
    for n, cause in enumerate(result["causes"], 1):
        lines += cause_markdown(n, cause)
    return redact("\n".join(lines) + "\n")
