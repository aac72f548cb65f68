"""The scan report for people: causes by count, when they were seen, on which models, incident flags."""

from __future__ import annotations

from .layout import Line


def scan_lines(report: dict, source: str) -> list[Line]:
    megabytes = report["bytes"] / 1e6
    head = (f"Scanned {source}: {megabytes:,.1f} MB, {report['lines']:,} lines"
            + (f" in {report['seconds']:.2f} s" if "seconds" in report else "") + ": ")
    if not report["groups"]:
        return [("green", head + "no Gemini/Google API errors found.")]
    out: list[Line] = [("bold", head + f"{report['errors']:,} Google API error(s), {len(report['groups'])} cause(s)."), ("", "")]
    for group in report["groups"]:
        models = ", ".join(f"{m} ×{n}" for m, n in group["models"].items())
        out.append(("bold cyan", f"  {group['count']:>6} × {group['cause']}: {group['title']}"))
        out.append(("", f"           first {_when(group['first_seen'], group['first_line'])}, last {_when(group['last_seen'], group['last_line'])}"))
        out.append(("dim", f"           models: {models}"))
        out.append(("dim", f"           e.g. «{group['example']}»"))
        if group.get("fix"):
            out.append(("magenta", f"           fix: {group['fix']}"))
        if "incident" in group:
            out.append(("yellow", f"           ⚠ incident signature: {group['incident']}"))
    out += [("", ""), ("", "More: gemini-doctor explain on one example, or gemini-doctor check on your setup (live).")]
    return out


def _when(seen: str, line: int) -> str:
    return seen if seen.startswith("line ") else f"{seen} (line {line})"
