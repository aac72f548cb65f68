"""The ``scan`` view: causes by count, when they were seen, on which models, incident flags."""

from __future__ import annotations

from .layout import Line, View
from .markdown import text

MORE = "More: gemini-doctor explain on one example, or gemini-doctor check on your setup (live)."


def scan_lines(report: dict, source: str, **_: object) -> list[Line]:
    head = _scanned(report, source)
    if not report["groups"]:
        return [("green", head + "no Gemini/Google API errors found.")] + _denials(report)
    out: list[Line] = [("bold", head + _found(report)), ("", "")]
    for group in report["groups"]:
        out.append(("bold cyan", f"  {group['count']:>6} × {group['cause']}: {group['title']}"))
        out.append(("", f"           {_seen(group)}"))
        models = _models(group["models"])
        if models:
            out.append(("dim", f"           models: {models}"))
        out.append(("dim", f"           e.g. «{_one_line(group['example'])}»"))
        if group.get("fix"):
            out.append(("magenta", f"           fix: {_one_line(group['fix'])}"))
        if "incident" in group:
            out.append(("yellow", f"           ⚠ incident signature: {group['incident']}"))
    out += _denials(report)
    out += [("", ""), ("", MORE)]
    return out


def scan_markdown(report: dict, source: str, **_: object) -> str:
    """The same, for a ticket: one section per cause (its fix is a command or a step in words: shown as
    text)."""
    head = _scanned(report, source)
    out = [
        "## gemini-doctor scan",
        "",
        text(head + (_found(report) if report["groups"] else "no Gemini/Google API errors found.")),
    ]
    for group in report["groups"]:
        out += [
            "",
            f"### {group['count']:,} × {text(group['title'])} (`{group['cause']}`)",
            "",
            f"- {text(_seen(group))}",
        ]
        models = _models(group["models"])
        if models:
            out.append(f"- models: {text(models)}")
        out.append(f"- e.g. {text(_one_line(group['example']))}")
        if group.get("fix"):
            out.append(f"- fix: {text(_one_line(group['fix']))}")
        if "incident" in group:
            out.append(f"- ⚠ incident signature: {text(group['incident'])}")
    head, calls = _denied_calls(report)
    if calls:
        out += ["", f"### {text(head)}", ""] + [f"- {text(call)}" for call in calls]
    if report["groups"]:
        out += ["", text(MORE)]
    return "\n".join(out) + "\n"


def _denials(report: dict) -> list[Line]:
    head, calls = _denied_calls(report)
    return [("", ""), ("bold", f"  {head}")] + [("", f"    {call}") for call in calls] if calls else []


def _denied_calls(report: dict) -> tuple[str, list[str]]:
    """The denied calls an audit-log export records (when, who, which permission, which method), one line
    each."""
    denials = report.get("audit_denials") or []
    calls = [
        f"{d['time'] or 'time unknown'}  {d['principal'] or 'a caller'} was denied "
        f"{d['permission'] or 'a permission'} calling {d['method'] or d['service'] or 'an API'}"
        for d in denials[:DENIALS_SHOWN]
    ]
    if len(denials) > DENIALS_SHOWN:
        calls.append(f"… and {len(denials) - DENIALS_SHOWN:,} more (--format json lists them)")
    return f"{report.get('audit_denials_count', len(denials)):,} denied call(s) in the audit log:", calls


DENIALS_SHOWN = 20


def _scanned(report: dict, source: str) -> str:
    megabytes = report["bytes"] / 1e6
    return (
        f"Scanned {source}: {megabytes:,.1f} MB, {report['lines']:,} lines"
        + (f" in {report['seconds']:.2f} s" if "seconds" in report else "")
        + ": "
    )


def _found(report: dict) -> str:
    return f"{report['errors']:,} Google API error(s), {len(report['groups'])} cause(s)."


def _seen(group: dict) -> str:
    return (
        f"first {_when(group['first_seen'], group.get('first_at'))}, "
        f"last {_when(group['last_seen'], group.get('last_at'))}"
    )


EXAMPLE_WIDTH = 200


def _one_line(text: str) -> str:
    """*text* on one line (a multi-line example must not break the layout), clipped at a word."""
    text = " ".join(text.split())
    if len(text) <= EXAMPLE_WIDTH:
        return text
    cut = text.rfind(" ", 0, EXAMPLE_WIDTH)
    return text[: cut if cut > EXAMPLE_WIDTH // 2 else EXAMPLE_WIDTH] + "…"


def _models(models: dict[str, int]) -> str:
    """The models named, with counts; errors that name none are counted apart, and alone say nothing."""
    named = [f"{model} ×{n}" for model, n in models.items() if model != "unknown"]
    if not named:
        return ""
    unnamed = models.get("unknown")
    return ", ".join(named) + (f" (and {unnamed} naming no model)" if unnamed else "")


def _when(seen: str, at: str | None) -> str:
    """A timestamp and where it was read (``app.log:12``), or just where when the line had no timestamp."""
    if seen.startswith("line "):
        return at or seen
    return f"{seen} ({at})" if at else seen


VIEW = View(scan_lines, scan_markdown)
