"""Entry point: ``gemini-doctor``. Help pages and a plain ``explain`` skip click; everything else goes through
it."""

from __future__ import annotations

import os
import sys

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a reader that went away (`| head`)


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
    if args[:1] == ["explain"]:
        from .explain_run import parse_plain, run

        params = parse_plain(args[1:])
        if params is not None:
            code = run(**params)
            sys.stdout.flush()
            sys.exit(code)
    from .group import cli

    cli(prog_name="gemini-doctor")
