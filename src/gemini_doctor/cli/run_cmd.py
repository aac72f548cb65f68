"""``gemini-doctor run -- CMD ARGS``: run a program unchanged, then explain the Google errors it printed.

The child's stdout and stderr pass through byte for byte as they come; its exit code (or the
signal that ended it) is ours. The explanation goes to stderr, after the child has finished.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import click

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
    epilog="""\b
Examples:
  gemini-doctor run -- python app.py
  gemini-doctor run -- npm test

\b
Exit codes:
  the program's own exit code (or the signal that ended it, as a shell reports it)
  127  the program could not be started
""",
)
@click.argument("command", nargs=-1, type=click.UNPROCESSED, required=True)
def run(command: tuple[str, ...]) -> None:
    """Run COMMAND with its output and exit code unchanged; afterwards explain any Google errors it
    printed."""
    from ..scan import Scanner

    try:
        child = subprocess.Popen(list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        from ..render.terminal import safe_line

        click.echo(f"gemini-doctor: cannot run {safe_line(command[0])}: {exc.strerror or exc}", err=True)
        sys.exit(127)
    for signum in FORWARDED:
        signal.signal(signum, lambda sig, _frame: child.send_signal(sig))
    scanners = [Scanner(), Scanner()]
    pumps = [
        threading.Thread(target=_pump, args=(pipe, fd, scanner), daemon=True)
        for pipe, fd, scanner in ((child.stdout, 1, scanners[0]), (child.stderr, 2, scanners[1]))
    ]
    for pump in pumps:
        pump.start()
    code = child.wait()
    for pump in pumps:
        pump.join()
    _explain(scanners)
    if code < 0:  # ended by a signal: end the same way
        if -code not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    sys.exit(code)


def _pump(pipe, fd: int, scanner) -> None:
    """Copy the child's bytes to our own stream at once, and let the scanner read them too."""
    while chunk := pipe.read1(65536):
        _write_all(fd, chunk)
        scanner.feed(chunk)
    scanner.finish()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view) :]
        except BrokenPipeError:
            return


def _explain(scanners) -> None:
    from ..render import render

    groups = [g for s in scanners for g in s.to_dict()["groups"]]
    if not groups:
        return
    report = {
        "bytes": sum(s.bytes for s in scanners),
        "lines": sum(s.lines for s in scanners),
        "errors": sum(s.errors for s in scanners),
        "groups": sorted(groups, key=lambda g: -g["count"]),
    }
    sys.stderr.write("\n")
    render(report, "text", sys.stderr, view="scan", source="the program's output")
