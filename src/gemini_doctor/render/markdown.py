"""Markdown for forums and support tickets: the whole diagnosis, secrets redacted."""

from __future__ import annotations

from ..redact import redact
from .layout import headline


def diagnosis_markdown(result: dict) -> str:
    parsed = result["parsed"]
    out = ["## gemini-doctor diagnosis", "", f"**Error read:** {headline(parsed)}"]
    if parsed.get("message"):
        out += ["", "> " + parsed["message"][:500]]
    for n, cause in enumerate(result["causes"], 1):
        out += ["", f"### {n}. {cause['title']} (`{cause['id']}`, {round(cause['confidence'] * 100)}%)", "", cause["why"], ""]
        out += [f"- {line}" for line in cause["evidence"]]
        if cause["fix"]:
            out += ["", "**Fix:**", ""]
            for k, step in enumerate(cause["fix"], 1):
                out.append(f"{k}. {step['step']}")
                if "command" in step:
                    out += ["   ```sh", f"   {step['command']}", "   ```"]
                if "url" in step:
                    out.append(f"   <{step['url']}>")
        out += ["", f"**Retry:** {cause['retry_advice']}"]
    if result.get("next_step"):
        out += ["", f"**Next:** {result['next_step']}"]
    return redact("\n".join(out) + "\n")
