"""``gemini-doctor scan`` without click: a plain invocation (FILEs and ``--format``) is parsed and
run here, since importing click costs a good share of a short scan; anything else (help,
``--output``, a usage error) goes to the click command in :mod:`.scan_cmd`, which scans and
reports through the same functions."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from ..render import FORMATS, render
from ..scan import Scanner, scan_stream
from . import plain_args
from .plain_args import Option

EXIT_NONE, EXIT_FOUND, EXIT_USAGE = 0, 1, 2
OPTIONS = (Option("--format", "fmt", FORMATS, "text", None, None),)  # as scan_cmd declares it


def parse_plain(argv: list[str]) -> dict | None:
    """The command's parameters from *argv*, as click would give them; None when *argv* is anything
    but FILEs and a valid ``--format`` (a directory among them included: click says why)."""
    parsed = plain_args.parse_plain(argv, OPTIONS)
    if parsed is None or any(os.path.isdir(name) for name in parsed[1]):
        return None
    values, files = parsed
    return {"files": tuple(files), **values}


def run(files: tuple[str, ...], fmt: str = "text") -> int:
    """Scan *files* and print the report; returns the exit code."""
    report = scan_files(files)
    return EXIT_USAGE if report is None else write_report(report, fmt, sys.stdout, files)


def scan_files(files: tuple[str, ...]) -> dict | None:
    """The report on *files* (stdin when there is none), each group placed in the input that holds
    it; None, once stderr says why, when an input cannot be read."""
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
            from ..render.terminal import safe_line  # (only on this error: start-up stays cheap)

            sys.stderr.write(f"gemini-doctor: cannot read {safe_line(name)}: {exc.strerror or exc}\n")
            return None
        ends.append(("stdin" if name == "-" else name, scanner.lines))
    report = dict(scanner.to_dict(), seconds=round(time.perf_counter() - start, 3))
    for group in report["groups"]:
        group["first_at"], group["last_at"] = (
            _place(group["first_line"], ends),
            _place(group["last_line"], ends),
        )
    return report


def write_report(report: dict, fmt: str, out: TextIO, files: tuple[str, ...]) -> int:
    """Render *report* to *out*; returns the exit code it calls for."""
    render(report, fmt, out, view="scan", source=", ".join(files) or "stdin")
    return EXIT_FOUND if report["groups"] else EXIT_NONE


def _place(line: int, ends: list[tuple[str, int]]) -> str:
    """A line number counted over all inputs, as ``FILE:LINE`` within the input that holds it."""
    start = 0
    for name, end in ends:
        if line <= end:
            return f"{name}:{line - start}"
        start = end
    return f"{ends[-1][0]}:{line - start}" if ends else str(line)
