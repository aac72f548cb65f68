"""Entry point: ``gemini-doctor``. A plain ``explain`` skips click; everything else goes through it."""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["explain"]:
        from .explain_run import parse_plain, run

        params = parse_plain(args[1:])
        if params is not None:
            sys.exit(run(**params))
    from .group import cli

    cli(prog_name="gemini-doctor")
