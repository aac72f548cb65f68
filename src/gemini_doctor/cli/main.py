"""Entry point: ``gemini-doctor``. Help pages and a plain ``explain`` or ``scan`` skip click; everything else
goes through it."""

from __future__ import annotations

import os
import sys
from importlib import import_module

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a reader that went away (`| head`)
# Commands a plain invocation of which runs without click: the module with its parse_plain and run
PLAIN_RUNS = {"explain": "explain_run", "scan": "scan_run"}


def main() -> None:
    try:
        _dispatch(sys.argv[1:])
    except BrokenPipeError:
        # The reader (e.g. `head`) has gone: stop quietly, and keep the interpreter's last flush quiet too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)


def _dispatch(args: list[str]) -> None:
    from .quick_help import stored_page

    page = stored_page(args)
    if page is not None:
        sys.stdout.write(page)
        return
    plain = PLAIN_RUNS.get(args[0]) if args else None
    if plain is not None:
        runner = import_module(f"{__package__}.{plain}")
        params = runner.parse_plain(args[1:])
        if params is not None:
            code = runner.run(**params)
            sys.stdout.flush()
            sys.exit(code)
    from .group import cli

    cli(prog_name="gemini-doctor")
