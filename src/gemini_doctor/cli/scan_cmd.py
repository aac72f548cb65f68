"""``gemini-doctor scan FILE...``: every Google API error in logs, grouped by cause (streaming)."""

from __future__ import annotations

import sys

import click

from ..render import FORMATS

_EXAMPLES = """\b
Examples:
  gemini-doctor scan app.log                   # every Google API error, grouped by cause
  gemini-doctor scan a.log b.log --format json
  kubectl logs deploy/api | gemini-doctor scan

\b
Exit codes:
  0  no Google API error found
  1  Google API errors found (the report groups them by cause)
  2  unreadable input, or a usage error
"""


@click.command(epilog=_EXAMPLES)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--output", type=click.Path(dir_okay=False), metavar="FILE", help="Write the report to FILE, not stdout."
)
def scan(files: tuple[str, ...], fmt: str, output: str | None) -> None:
    """Find every Gemini/Google API error in log FILEs (or stdin), grouped by cause, with first/last seen."""
    from .check_cmd import report_stream
    from .scan_run import EXIT_USAGE, scan_files, write_report

    report = scan_files(files)
    if report is None:
        sys.exit(EXIT_USAGE)
    with report_stream(output) as out:
        code = write_report(report, fmt, out, files)
    sys.exit(code)
