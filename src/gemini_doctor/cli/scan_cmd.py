"""``gemini-doctor scan FILE...``: every Google API error in logs, grouped by cause (streaming)."""

from __future__ import annotations

import sys
import time

import click

from ..render import FORMATS

EXIT_NONE, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


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
    from ..scan import Scanner, scan_stream
    from .check_cmd import report_stream

    scanner, start = Scanner(), time.perf_counter()
    ends: list[tuple[str, int]] = []  # each input and the line count after it: where a line number lies
    for name in files or ("-",):
        try:
            if name == "-":
                scan_stream(sys.stdin.buffer, scanner)
            else:
                with open(name, "rb") as handle:
                    scan_stream(handle, scanner)
        except OSError as exc:
            click.echo(f"gemini-doctor: cannot read {name}: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_USAGE)
        ends.append(("stdin" if name == "-" else name, scanner.lines))
    report = dict(scanner.to_dict(), seconds=round(time.perf_counter() - start, 3))
    for group in report["groups"]:
        group["first_at"], group["last_at"] = (
            _place(group["first_line"], ends),
            _place(group["last_line"], ends),
        )
    from ..render import render

    with report_stream(output) as out:
        render(report, fmt, out, view="scan", source=", ".join(files) or "stdin")
    sys.exit(EXIT_FOUND if report["groups"] else EXIT_NONE)


def _place(line: int, ends: list[tuple[str, int]]) -> str:
    """A line number counted over all inputs, as ``FILE:LINE`` within the input that holds it."""
    start = 0
    for name, end in ends:
        if line <= end:
            return f"{name}:{line - start}"
        start = end
    return f"{ends[-1][0]}:{line - start}" if ends else str(line)
