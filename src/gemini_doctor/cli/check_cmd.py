"""``gemini-doctor check``: live diagnosis of the user's real setup (its flags are shared with fix)."""

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
        click.option("--endpoint", envvar="GEMINI_DOCTOR_ENDPOINT", callback=_base_url, metavar="URL",
                     help="Send every Google call, OAuth included, to this base URL (e.g. the emulator)."),
        click.option("--timeout", type=click.FloatRange(0.1, 120), default=10.0, show_default=True,
                     help="Seconds each probe may take."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True),
    ]):
        command = option(command)
    return command


def _base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--endpoint must be an http(s) base URL with a host: anything else is a usage error, before any probe runs."""
    if value is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 1) > 0
    except ValueError:   # e.g. an unclosed IPv6 bracket or a port that is not a number
        valid = False
    if not valid:
        raise click.BadParameter(f"{value!r} is not an http(s) URL, e.g. http://127.0.0.1:8080", ctx, param)
    return value


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
    from ..render import render

    result = run_target(surface, model, project, location, endpoint, timeout, fmt)
    render(result.to_dict(), fmt, sys.stdout, view="check")
    sys.exit(result.exit_code)
