"""The ``fix --apply`` report: the problem, the plan, what was applied, what the re-check found, notes.

The terminal shows each part as it happens (:func:`plan_lines`, :func:`applied_line`, :func:`verified_line`
between the prompt and the waiting); :func:`apply_lines` is the same report at once.
"""

from __future__ import annotations

from .layout import Line, View
from .markdown import text


def plan_lines(report: dict) -> list[str]:
    """The changes to approve, numbered, each with its cause and the exact change."""
    plan = report["plan"]
    out = [
        "",
        f"Plan ({len(plan)} change(s), {sum(step['mutations'] for step in plan)} on Google's side), "
        f"acting as {report['acting_as']}:",
    ]
    for n, step in enumerate(plan, 1):
        first, *rest = step["change"]
        out += [f"  {n}. [{step['cause']}] {first}", *(f"     {line}" for line in rest)]
    return out


def applied_line(done: str) -> str:
    return f"Applied: {done}"


def verified_line(verified: dict) -> str:
    return ("Fixed: " if verified["healthy"] else "Still failing: ") + verified["summary"]


def apply_lines(report: dict, **_: object) -> list[Line]:
    """The whole report: the problem before, the plan, what was applied, the re-check, the notes."""
    out = [report["summary_before"]]
    if report["plan"]:
        out += plan_lines(report)
    out += [applied_line(done) for done in report["applied"]]
    if "verified" in report:
        out.append(verified_line(report["verified"]))
    out += report["notes"]
    return [("", line) for line in out]


def apply_markdown(report: dict, **_: object) -> str:
    """The same, for a ticket: each part a section, the changes numbered as they were approved."""
    out = ["## gemini-doctor fix --apply", "", f"**Before:** {text(report['summary_before'])}"]
    if report["plan"]:
        out += ["", f"### Plan, acting as {text(report['acting_as'])}", ""]
        for n, step in enumerate(report["plan"], 1):
            first, *rest = step["change"]
            out.append(f"{n}. `{step['cause']}`: {text(first)}")
            out += [f"   - {text(line.strip())}" for line in rest]
    if report["applied"]:
        out += ["", "### Applied", ""] + [f"- {text(done)}" for done in report["applied"]]
    if "verified" in report:
        verified = report["verified"]
        out += [
            "",
            "### Re-checked",
            "",
            f"**{text(verified_line(verified))}** "
            f"({verified['attempts']} check(s) in {verified['seconds']:g} s)",
        ]
    if report["notes"]:
        out += ["", "### Notes", ""] + [f"- {text(note)}" for note in report["notes"]]
    return "\n".join(out) + "\n"


VIEW = View(apply_lines, apply_markdown)
