"""The check report for people: the credential, a checklist, traps, then the causes (as explain shows
them)."""

from __future__ import annotations

from .layout import Line, View, cause_lines
from .markdown import cause_markdown, text

MARKS = {
    "ok": ("green", "✓"),
    "fail": ("red", "✗"),
    "could_not_check": ("yellow", "?"),
    "skipped": ("dim", "-"),
}


def credential_line(credential: dict, label: str = "Credential") -> str:
    shown = {k: v for k, v in credential.items() if v and k not in ("kind", "project_source")}
    if "project" in shown and credential.get("project_source"):
        shown["project"] = f"{shown['project']} (from {credential['project_source']})"
    who = ", ".join(f"{k} {v}" for k, v in shown.items())
    return f"{label}: {credential.get('kind') or 'none'}" + (f" ({who})" if who else "")


def admin_line(result: dict) -> list[str]:
    """Who ran the admin probes, when --admin-credentials named someone other than the app."""
    admin = result.get("admin_credential")
    return [credential_line(admin, "Admin probes as")] if admin else []


def check_line(check: dict) -> Line:
    """One line of the checklist: mark, title, what was found, how long it took."""
    style, mark = MARKS.get(check["status"], ("", "·"))
    return style, f"  {mark} {check['title']}: {check['summary']}  ({check['duration_ms']} ms)"


def tally(result: dict) -> str:
    """The closing count, as `flutter doctor` ends: how many checks passed, failed, could not run."""
    counts = {status: sum(c["status"] == status for c in result["checks"]) for status in MARKS}
    parts = [
        f"{counts['ok']} passed",
        f"{counts['fail']} failed",
        f"{counts['could_not_check']} could not check",
    ]
    if counts["skipped"]:
        parts.append(f"{counts['skipped']} skipped")
    return (
        f"{len(result['checks'])} checks: {', '.join(parts)}; {result['requests']} requests in "
        f"{result['elapsed_ms']} ms"
    )


def check_head(result: dict) -> list[Line]:
    """What is known before any probe runs: the credential the code would use."""
    return [("bold", line) for line in [credential_line(result["credential"]), *admin_line(result)]] + [
        ("", "")
    ]


def check_tail(result: dict, quiet: bool = False) -> list[Line]:
    """After the checklist: traps, the verdict, its causes, the tally (only the verdict when *quiet*)."""
    verdict: Line = ("bold green" if result["healthy"] else "bold red", result["summary"])
    if quiet:
        return [verdict]
    out: list[Line] = [("yellow", f"  ! {trap['message']}") for trap in result["traps"]]
    out += [("", ""), verdict, ("", "")]
    for n, cause in enumerate(result["causes"], 1):
        out.extend(cause_lines(n, cause, full=n == 1))
    out.append(("dim", tally(result)))
    return out


def check_lines(result: dict, quiet: bool = False, **_: object) -> list[Line]:
    """The whole report (only the verdict when *quiet*)."""
    if quiet:
        return check_tail(result, quiet)
    return check_head(result) + [check_line(c) for c in result["checks"]] + check_tail(result)


def check_markdown(result: dict, **_: object) -> str:
    lines = ["## gemini-doctor check", "", f"**{text(result['summary'])}**", ""]
    lines += [
        part
        for line in [credential_line(result["credential"]), *admin_line(result)]
        for part in (text(line), "")
    ]
    lines += ["| check | status | result |", "|---|---|---|"]
    lines += [f"| {text(c['title'])} | {c['status']} | {text(c['summary'])} |" for c in result["checks"]]
    lines += [""] + [f"- ⚠ {text(t['message'])}" for t in result["traps"]]
    for n, cause in enumerate(result["causes"], 1):
        lines += cause_markdown(n, cause)
    return "\n".join(lines) + "\n"


VIEW = View(check_lines, check_markdown)
