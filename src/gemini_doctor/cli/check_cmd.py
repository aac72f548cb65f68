"""``gemini-doctor check``: live diagnosis of the user's real setup (its flags are shared with fix)."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import click

from ..probes import FOR_CALL, FOR_KEY_CREATION, PURPOSES
from ..render import FORMATS

SURFACES = ("auto", "gemini-api", "vertex")


def target_options(command):
    """The flags that say what to check; shared by check and fix."""
    for option in reversed(
        [
            click.option(
                "--surface",
                type=click.Choice(SURFACES),
                default="auto",
                show_default=True,
                help="Which API your code calls (auto: as google-genai decides from the environment).",
            ),
            click.option("--model", help="The model your call uses (default gemini-2.5-flash)."),
            click.option(
                "--project", help="The project your code uses (default GOOGLE_CLOUD_PROJECT / ADC)."
            ),
            click.option("--location", help="The Vertex location (default GOOGLE_CLOUD_LOCATION or global)."),
            click.option(
                "--endpoint",
                envvar="GEMINI_DOCTOR_ENDPOINT",
                callback=_base_url,
                metavar="URL",
                help="Send every Google call, OAuth included, to this base URL (e.g. the emulator).",
            ),
            click.option(
                "--timeout",
                type=click.FloatRange(0.1, 120),
                default=10.0,
                show_default=True,
                help="Seconds each probe may take.",
            ),
            click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True),
        ]
    ):
        command = option(command)
    return command


def _base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--endpoint must be an http(s) base URL with a host: anything else is a usage error, before any probe
    runs."""
    if value is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 1) > 0
    except ValueError:  # e.g. an unclosed IPv6 bracket or a port that is not a number
        valid = False
    if not valid:
        raise click.BadParameter(f"{value!r} is not an http(s) URL, e.g. http://127.0.0.1:8080", ctx, param)
    return value


def report_options(command):
    """How the report comes out: -q, -v (an HTTP log on stderr), --output FILE; shared by check and fix."""
    for option in reversed(
        [
            click.option(
                "-q", "--quiet", is_flag=True, help="Print only the verdict (fix: only the command to run)."
            ),
            click.option(
                "-v",
                "--verbose",
                is_flag=True,
                help=(
                    "Log every HTTP request the probes send and what Google answered, on stderr "
                    "(secrets masked)."
                ),
            ),
            click.option(
                "--output",
                type=click.Path(dir_okay=False),
                metavar="FILE",
                help="Write the report to FILE, not stdout.",
            ),
        ]
    ):
        command = option(command)
    return command


@contextmanager
def report_stream(output: str | None) -> Iterator[TextIO]:
    """Where the report goes: stdout, or *output* opened before any probe runs (so a bad path fails fast)."""
    if output is None:
        yield sys.stdout
        return
    try:
        handle = open(output, "w", encoding="utf-8")  # noqa: SIM115 - opened before any work, closed by the with below
    except OSError as exc:
        raise click.BadParameter(
            f"cannot write {output}: {exc.strerror or exc}", param_hint="--output"
        ) from exc
    with handle:
        yield handle


def run_target(
    surface,
    model,
    project,
    location,
    endpoint,
    timeout,
    fmt,
    verbose=False,
    live: TextIO | None = None,
    purpose: str = FOR_CALL,
    admin_file: str | None = None,
):
    """Discover the setup and run the probes; return the CheckResult. With *live* (a terminal), the credential
    and each checklist line are printed there as soon as they are known; else a spinner runs on a terminal's
    stderr. For *purpose* ``key-creation`` the setup is the signed-in account's and the project is required.
    *admin_file* (--admin-credentials) is what the read-only admin probes run as (default: the gcloud
    login); a file google-auth cannot use is a usage error, before any probe runs."""
    from ..check import discover, run_check

    # google-auth's raw UserWarnings (with a site-packages path): traps say it better
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module=r"google\.auth")
        if purpose == FOR_KEY_CREATION:
            setup = _person(project, endpoint)
        else:
            setup = discover(dict(os.environ), surface, model, project, location, endpoint)
        add_admin(setup, admin_file, endpoint)
    log = _http_log if verbose else None
    if live is not None:
        return _streamed(setup, endpoint, timeout, log, live)
    if fmt != "text" or not sys.stderr.isatty():
        return run_check(setup, endpoint, timeout, log=log)
    from rich.console import Console

    console = Console(stderr=True)
    done: list[str] = []
    with console.status("Checking your setup with Google…") as status:

        def progress(probe_id: str, outcome) -> None:
            done.append(probe_id)
            status.update(
                f"Checking your setup with Google… {len(done)} done (last: {probe_id}: {outcome.status})"
            )

        return run_check(setup, endpoint, timeout, progress, log=log)


def add_admin(setup, admin_file: str | None, endpoint: str | None) -> None:
    """The credential the read-only admin probes run as: --admin-credentials (a file google-auth cannot use is
    a usage error), else the gcloud login when the app runs as another credential, else none (the app's)."""
    from ..probes.discovery import admin_credential, gcloud_login

    try:
        setup.admin = (
            admin_credential(admin_file, endpoint)
            if admin_file
            else gcloud_login(setup, dict(os.environ), endpoint)
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--admin-credentials") from None


def _person(project: str | None, endpoint: str | None):
    """The signed-in account's setup for ``--for key-creation``; the project must be a project ID or
    number."""
    from ..google.syntax import valid
    from ..probes.discovery import discover_person

    setup = discover_person(dict(os.environ), project, endpoint)
    if not setup.project:
        raise click.UsageError("which project? pass --project PROJECT_ID (or set GOOGLE_CLOUD_PROJECT)")
    if not valid("project", setup.project):
        raise click.BadParameter(f"{setup.project!r} is not a project ID or number", param_hint="--project")
    return setup


def _streamed(setup, endpoint, timeout, log, stream: TextIO):
    """Run the probes, printing each checklist line to *stream* the moment its probe finishes (like flutter
    doctor)."""
    from ..check import checklist, run_check
    from ..render.check import check_head, check_line
    from ..render.terminal import print_lines

    titles = checklist(setup)
    print_lines(
        check_head(
            {
                "credential": setup.credential_summary(),
                "admin_credential": setup.admin.summary() if setup.admin else None,
            }
        ),
        stream,
    )

    def finished(probe_id: str, outcome) -> None:
        check = {
            "title": titles.get(probe_id, probe_id),
            "status": outcome.status,
            "summary": outcome.summary,
            "duration_ms": outcome.duration_ms,
        }
        print_lines([check_line(check)], stream)
        stream.flush()

    return run_check(setup, endpoint, timeout, finished, log=log)


def _http_log(line: str) -> None:
    from ..render.terminal import safe_line

    sys.stderr.write(f"http: {safe_line(line)}\n")


_EXAMPLES = """\b
Examples:
  gemini-doctor check                          # what your code would use, from the environment
  gemini-doctor check --surface vertex --project acme-prod --location us-central1
  gemini-doctor check --format json --output report.json
  gemini-doctor check -v                       # also log each HTTP request (secrets masked)
  gemini-doctor check --for key-creation --project acme-prod   # may you create an AI Studio key there?
  gemini-doctor check --admin-credentials admin.json   # audit log, Troubleshooter, org policy as an admin

\b
Exit codes:
  0  healthy: the model answers with this credential
  1  a problem was found (the verdict names its cause)
  2  usage error (a bad flag or value)
  3  inconclusive: the checks that would decide could not run
"""


@click.command(epilog=_EXAMPLES)
@target_options
@report_options
@click.option(
    "--for",
    "purpose",
    type=click.Choice(PURPOSES),
    default=FOR_CALL,
    show_default=True,
    help="What to check: your code's Gemini call, or whether your signed-in account (gcloud login) may "
    "create an AI Studio key in --project.",
)
@click.option(
    "--admin-credentials",
    type=click.Path(exists=True, dir_okay=False),
    metavar="PATH",
    help="A service-account key or authorized-user JSON file the read-only admin probes (audit log, Policy "
    "Troubleshooter, org policy) run as (default: your gcloud login, when the app runs as another "
    "credential); the app's own probes keep the app's credential.",
)
def check(
    surface,
    model,
    project,
    location,
    endpoint,
    timeout,
    fmt,
    quiet,
    verbose,
    output,
    purpose,
    admin_credentials,
) -> None:
    """Find the credential your code really uses, probe Google's APIs concurrently (read-only), give one
    verdict."""
    from ..render import render

    with report_stream(output) as out:
        live = out if fmt == "text" and not quiet and out.isatty() else None
        result = run_target(
            surface,
            model,
            project,
            location,
            endpoint,
            timeout,
            fmt,
            verbose,
            live,
            purpose,
            admin_credentials,
        )
        data = result.to_dict()
        if live:  # the credential and the checklist are out already
            from ..render.check import check_tail
            from ..render.terminal import print_lines

            print_lines(check_tail(data), out)
        else:
            render(data, fmt, out, view="check", quiet=quiet)
    sys.exit(result.exit_code)
