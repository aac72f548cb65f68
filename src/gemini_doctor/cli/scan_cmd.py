"""``gemini-doctor scan FILE...``: every Google API error in logs, grouped by cause (streaming)."""

from __future__ import annotations

import sys
import time

import click

EXIT_NONE, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def scan(files: tuple[str, ...], fmt: str) -> None:
    """Find every Gemini/Google API error in log FILEs (or stdin), grouped by cause, with first/last seen."""
    from ..scan import Scanner, scan_stream

    scanner, start = Scanner(), time.perf_counter()
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
    report = dict(scanner.to_dict(), seconds=round(time.perf_counter() - start, 3))
    if fmt == "json":
        from ..render import to_json_line

        sys.stdout.write(to_json_line(report) + "\n")
    else:
        from ..render.scan import scan_lines
        from ..render.terminal import print_lines

        print_lines(scan_lines(report, ", ".join(files) or "stdin"), sys.stdout)
    sys.exit(EXIT_FOUND if report["groups"] else EXIT_NONE)
