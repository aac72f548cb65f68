"""``gemini-doctor fix``: the commands for check's verdict; with --apply, the safe ones done and verified."""

from __future__ import annotations

import os
import sys
from contextlib import redirect_stdout

import click

from .check_cmd import add_admin, report_options, report_stream, run_target, target_options

FIXED, NOT_FIXED, UNDECIDED = 0, 1, 3  # 3: Google could not be reached or read, so nothing was decided


_EXAMPLES = """\b
Examples:
  gemini-doctor fix                    # check, then print the fix as a script safe to paste whole
  gemini-doctor fix -q | sh            # only the command to run (none when it needs a value filled in)
  gemini-doctor fix --format markdown  # for a ticket
  gemini-doctor fix --apply            # do the safe, reversible changes, after showing them and asking

\b
Exit codes:
  0  healthy (with --apply: fixed and verified)
  1  a problem was found (with --apply: not fixed)
  2  usage error
  3  inconclusive: the checks that would decide could not run
"""


@click.command(epilog=_EXAMPLES)
@target_options
@report_options
@click.option(
    "--apply", "do_apply", is_flag=True, help="Apply the safe remedies (after showing them and asking)."
)
@click.option("--yes", is_flag=True, help="With --apply: do not ask (for scripts).")
@click.option(
    "--wait",
    "wait_s",
    type=click.FloatRange(0, 3600),
    default=180,
    show_default=True,
    help="With --apply: how long to wait for Google to propagate the change.",
)
@click.option(
    "--admin-credentials",
    type=click.Path(exists=True, dir_okay=False),
    help="A credential file for the admin work: check's read-only admin probes and, with --apply, the fixes "
    "and their verification (default: your gcloud login, else the app's).",
)
def fix(
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
    do_apply,
    yes,
    wait_s,
    admin_credentials,
) -> None:
    """Run check, then print the exact commands for its verdict; --apply does the safe, reversible ones."""
    with report_stream(output) as out, redirect_stdout(out):
        result = run_target(
            surface, model, project, location, endpoint, timeout, fmt, verbose, admin_file=admin_credentials
        )
        data = result.to_dict()
        if not do_apply:
            _print_commands(data, fmt, quiet)
            code = result.exit_code
        else:
            code = _apply(
                result,
                data,
                fmt,
                yes,
                wait_s,
                admin_credentials,
                (surface, model, project, location, endpoint, timeout),
            )
    sys.exit(code)


def _print_commands(data: dict, fmt: str, quiet: bool = False) -> None:
    from ..render import render

    render(data, fmt, sys.stdout, view="fix", quiet=quiet)


def _apply(
    result, data: dict, fmt: str, yes: bool, wait_s: float, admin_file: str | None, target: tuple
) -> int:
    from ..check import apply_fix, discover, plan_fix, run_check
    from ..probes.discovery import load_admin_credentials
    from ..remedies import RemedyDenied, verify
    from ..render.apply import applied_line, plan_lines, verified_line
    from ..safefiles import FileRefused

    surface, model, project, location, endpoint, timeout = target
    env = dict(os.environ)
    report: dict = {
        "healthy_before": data["healthy"],
        "summary_before": data["summary"],
        "plan": [],
        "applied": [],
        "notes": [],
    }
    say = _progress(fmt)
    say(data["summary"])
    try:
        admin = (
            load_admin_credentials(result.setup, env, endpoint, admin_file)
            if result.setup.credentials or admin_file
            else None
        )
        token = _token(admin, timeout, result.setup.metadata)
        remedies, notes = plan_fix(result, token, endpoint, timeout)
    except RemedyDenied as exc:
        return _finish(report, fmt, say, notes=[str(exc)])
    except Exception as exc:  # noqa: BLE001 - e.g. admin credentials that cannot get a token, or no answer
        return _finish(
            report,
            fmt,
            say,
            notes=[f"cannot prepare the fix: {_failure(exc, endpoint, timeout)}"],
            code=UNDECIDED,
        )
    report["plan"] = [{"cause": r.cause, "change": r.change, "mutations": r.mutations} for r in remedies]
    report["notes"] = notes
    if not remedies:
        code = FIXED if data["healthy"] else UNDECIDED if result.exit_code == UNDECIDED else NOT_FIXED
        return _finish(report, fmt, say, notes=notes or ["nothing to change"], code=code)
    report["acting_as"] = _identity(admin)
    for line in plan_lines(report) + notes:  # notes: what the plan leaves to the steps fix prints
        say(line)
    if not yes:
        if not sys.stdin.isatty():
            return _finish(report, fmt, say, notes=["no changes made: not a terminal and --yes not given"])
        if not click.confirm("Apply these changes?", default=False, err=fmt != "text"):
            return _finish(report, fmt, say, notes=["no changes made"])
    refused = None
    try:  # what was applied before a refusal stays in the report
        apply_fix(remedies, token, endpoint, timeout, report["applied"])
    except (RemedyDenied, FileRefused) as exc:
        refused = str(exc)
    except Exception as exc:  # noqa: BLE001 - no answer, or one that cannot be read: said plainly, never a traceback
        for done in report["applied"]:
            say(applied_line(done))
        return _finish(
            report, fmt, say, notes=[f"could not finish: {_failure(exc, endpoint, timeout)}"], code=UNDECIDED
        )
    for done in report["applied"]:
        say(applied_line(done))
    if refused is not None:
        return _finish(report, fmt, say, notes=[refused])
    say(
        f"Verifying (up to {wait_s:g} s; Google can take a minute or two to propagate a change, which is "
        "normal)…"
    )

    def recheck():
        setup = discover(dict(os.environ), surface, model, project, location, endpoint)
        add_admin(setup, admin_file, endpoint)
        return run_check(setup, endpoint, timeout)

    final, attempts, seconds = _verify_with_progress(verify, recheck, wait_s, fmt, say)
    report["verified"] = {
        "healthy": final.healthy,
        "summary": final.to_dict()["summary"],
        "attempts": attempts,
        "seconds": round(seconds, 1),
    }
    say(verified_line(report["verified"]))
    return _finish(
        report,
        fmt,
        say,
        code=FIXED if final.healthy else UNDECIDED if final.exit_code == UNDECIDED else NOT_FIXED,
    )


def _progress(fmt: str):
    """How --apply says what it is doing as it goes: on stdout for text (that is the report), on stderr beside
    a markdown report (for the person watching), not at all beside JSON."""
    from ..render.terminal import safe_text

    if fmt == "json":
        return lambda line: None
    return lambda line: click.echo(safe_text(line), err=fmt != "text")


def _verify_with_progress(verify, recheck, wait_s: float, fmt: str, say):
    """Re-check until fixed: a live status line on a terminal, a line per attempt otherwise."""
    if fmt == "json":
        return verify(recheck, wait_s)
    if fmt != "text" or not sys.stdout.isatty():
        return verify(
            recheck, wait_s, lambda n, r, t: say(f"  check {n} after {t:.0f} s: {r.to_dict()['summary']}")
        )
    from rich.console import Console

    with Console().status("Verifying…") as status:
        return verify(
            recheck,
            wait_s,
            lambda n, r, t: status.update(
                f"Verifying… check {n} after {t:.0f} s of at most {wait_s:g} s: "
                f"{'healthy' if r.healthy else 'not yet'}"
            ),
        )


def _identity(credentials) -> str:
    """Who will make the changes, for people: the account's e-mail when the credential names it."""
    email = getattr(credentials, "service_account_email", None) or getattr(credentials, "account", None)
    return email or "your gcloud login (Application Default Credentials)"


def _token(credentials, timeout: float | None = None, metadata=None) -> str | None:
    """The admin credential's access token, each request to the token endpoint bounded by *timeout*
    (a machine's account asks the metadata server that *metadata* routes to)."""
    if credentials is None:
        return None
    from ..probes.auth import DEFAULT_TIMEOUT, refresh

    refresh(credentials, timeout=timeout or DEFAULT_TIMEOUT, metadata=metadata)
    return credentials.token


def _failure(exc: Exception, endpoint: str | None, timeout: float) -> str:
    """What went wrong talking to Google, for people (the host and the kind of failure where known)."""
    import httpx

    from ..probes.failures import describe_failure, host_of

    if isinstance(exc, httpx.TransportError):
        return describe_failure(
            exc, host_of(str(exc.request.url)) if _has_request(exc) else host_of(endpoint), None, timeout
        )
    if type(exc).__module__.startswith("google.auth"):
        return describe_failure(exc, host_of(endpoint) or "the token endpoint", None, timeout)
    return f"Google's answer could not be read ({type(exc).__name__})"


def _has_request(exc) -> bool:
    try:
        return exc.request is not None
    except RuntimeError:
        return False


def _finish(report: dict, fmt: str, say, notes: list[str] | None = None, code: int = NOT_FIXED) -> int:
    if notes:
        report["notes"] = list(dict.fromkeys(report.get("notes", []) + notes))
        for note in notes:
            say(note)
    if fmt != "text":  # the text report was said as it happened
        from ..render import render

        render(report, fmt, sys.stdout, view="apply")
    return code
