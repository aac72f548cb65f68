"""``gemini-doctor check`` and ``gemini-doctor fix``: live diagnosis of the user's real setup."""

from __future__ import annotations

import os
import sys

import click

from ..render import FORMATS

SURFACES = ("auto", "gemini-api", "vertex")


def target_options(command):
    """The flags that say what to check; shared by check and fix."""
    for option in reversed([
        click.option("--surface", type=click.Choice(SURFACES), default="auto", show_default=True,
                     help="Which API your code calls (auto: as google-genai decides from the environment)."),
        click.option("--model", help="The model your call uses (default gemini-2.5-flash)."),
        click.option("--project", help="The project your code uses (default GOOGLE_CLOUD_PROJECT / ADC)."),
        click.option("--location", help="The Vertex location (default GOOGLE_CLOUD_LOCATION or global)."),
        click.option("--endpoint", envvar="GEMINI_DOCTOR_ENDPOINT",
                     help="Send every Google call, OAuth included, to this base URL (e.g. the emulator)."),
        click.option("--timeout", type=click.FloatRange(0.1, 120), default=10.0, show_default=True,
                     help="Seconds each probe may take."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True),
    ]):
        command = option(command)
    return command


def run_target(surface, model, project, location, endpoint, timeout, fmt):
    """Discover the setup and run the probes, with progress on a terminal; return the CheckResult."""
    from ..probes import discover, run_check

    setup = discover(dict(os.environ), surface, model, project, location, endpoint)
    if fmt != "text" or not sys.stderr.isatty():
        return run_check(setup, endpoint, timeout)
    from rich.console import Console

    console = Console(stderr=True)
    done: list[str] = []
    with console.status("Checking your setup with Google…") as status:
        def progress(probe_id: str, outcome) -> None:
            done.append(probe_id)
            status.update(f"Checking your setup with Google… {len(done)} done (last: {probe_id}: {outcome.status})")
        return run_check(setup, endpoint, timeout, progress)


@click.command()
@target_options
def check(surface, model, project, location, endpoint, timeout, fmt) -> None:
    """Find the credential your code really uses, probe Google's APIs concurrently (read-only), give one verdict."""
    from ..render import render_check

    result = run_target(surface, model, project, location, endpoint, timeout, fmt)
    render_check(result.to_dict(), fmt, sys.stdout)
    sys.exit(result.exit_code)


@click.command()
@target_options
def fix(surface, model, project, location, endpoint, timeout, fmt) -> None:
    """Run check, then print the exact commands for the verdict, ready to copy."""
    from ..redact import redact
    from ..render import to_json_line

    result = run_target(surface, model, project, location, endpoint, timeout, fmt)
    data = result.to_dict()
    if fmt == "json":
        sys.stdout.write(to_json_line({"healthy": data["healthy"], "summary": data["summary"],
                                       "fixes": [{"cause": c["id"], "fix": c["fix"]} for c in data["causes"]]}) + "\n")
        sys.exit(result.exit_code)
    lines = [data["summary"]]
    for cause in data["causes"][:1] + [c for c in data["causes"][1:] if c["confidence"] >= 0.5]:
        lines += ["", f"# {cause['title']} ({cause['id']})"]
        for step in cause["fix"]:
            lines.append(f"# {step['step']}")
            if "command" in step:
                lines.append(step["command"])
            if "url" in step:
                lines.append(f"#   {step['url']}")
    sys.stdout.write(redact("\n".join(lines)) + "\n")
    sys.exit(result.exit_code)
