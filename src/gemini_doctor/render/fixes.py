"""``gemini-doctor fix`` output: a script that is safe to paste whole.

Every line is a ``#`` comment except the commands meant to run: the first complete command of the
likeliest cause. Its other commands are alternatives (one surface or the other, one file or the
process) and a less likely cause's commands are for later, so both are shown commented out.
"""

from __future__ import annotations

from .layout import Line, View, one_line
from .markdown import code_block, text

RUNNER_UP_AT = 0.5  # a less likely cause is shown (commented out) from this confidence


def shown_causes(data: dict) -> list[dict]:
    """The causes worth a fix: the likeliest, and others from :data:`RUNNER_UP_AT`."""
    return data["causes"][:1] + [c for c in data["causes"][1:] if c["confidence"] >= RUNNER_UP_AT]


def fix_lines(data: dict, quiet: bool = False, **_: object) -> list[Line]:
    """The script's lines, the live command in bold; with *quiet*, only that command (none when there is
    none)."""
    lines = [f"# {one_line(data['summary'])}"]  # "Problem: …" or "Healthy: …"
    for n, cause in enumerate(shown_causes(data)):
        lines += [
            "",
            f"# {cause['title']} ({cause['id']})"
            + (
                ""
                if n == 0
                else ": less likely; its commands are commented out, for if the first fix did not help"
            ),
        ]
        live = n == 0
        for step in cause["fix"]:
            lines.append(f"# {one_line(step['step'])}")
            command = step.get("command")
            if command is not None:
                command = one_line(command)
                if live and not command.startswith("#"):
                    lines.append(command)
                    live = False
                else:
                    lines.append(command if command.startswith("#") else f"#   {command}")
            if "url" in step:
                lines.append(f"#   {step['url']}")
    styled = [("bold" if line and not line.startswith("#") else "dim", line) for line in lines]
    return [line for line in styled if line[0] == "bold"] if quiet else styled


def fix_markdown(data: dict, **_: object) -> str:
    """The same, for a ticket: the problem, then each cause's steps with their commands in fences."""
    out = ["## gemini-doctor fix", "", f"**{text(data['summary'])}**"]
    for n, cause in enumerate(shown_causes(data), 1):
        out += [
            "",
            f"### {n}. {text(cause['title'])} (`{cause['id']}`)" + ("" if n == 1 else ", less likely"),
            "",
        ]
        for k, step in enumerate(cause["fix"], 1):
            out.append(f"{k}. {text(step['step'])}")
            if "command" in step:
                out += code_block(step["command"], "   ")
            if "url" in step:
                out.append(f"   <{step['url']}>")
    return "\n".join(out) + "\n"


def fix_json(data: dict) -> dict:
    """What JSON shows of a fix: the verdict and each cause's steps."""
    return {
        "healthy": data["healthy"],
        "summary": data["summary"],
        "fixes": [{"cause": c["id"], "fix": c["fix"]} for c in data["causes"]],
    }


VIEW = View(fix_lines, fix_markdown, fix_json)
