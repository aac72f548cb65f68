"""``gemini-doctor explain`` as a click command, built from :data:`.explain_run.OPTIONS`.

A plain invocation never gets here (see :mod:`.explain_run`); this serves help, usage errors
and the rare argument forms the plain parser leaves to click.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from .explain_run import OPTIONS, run
from .plain_args import Option


def _explain(**params: str | None) -> None:
    sys.exit(run(**params))


class _Checked(click.ParamType):
    """A string that an option's check accepts (the plain parser asks the same check)."""

    def __init__(self, check: Callable[[str], str | None], metavar: str) -> None:
        self.check, self.name = check, metavar

    def convert(self, value: str, param: click.Parameter | None, ctx: click.Context | None) -> str:
        problem = self.check(value)
        if problem:
            self.fail(problem, param, ctx)
        return value


def _type(option: Option) -> click.ParamType | type:
    if option.choices:
        return click.Choice(option.choices)
    return _Checked(option.check, option.metavar) if option.check else str


explain = click.Command(
    "explain",
    callback=_explain,
    help="Explain an error pasted on stdin or read from FILE: ranked causes, evidence, fixes.",
    epilog="""\b
Examples:
  gemini-doctor explain                     # paste the error, then Ctrl-D
  gemini-doctor explain error.txt --project acme-prod
  pbpaste | gemini-doctor explain --format markdown
  gemini-doctor explain --batch errors.jsonl --format json --jobs 2

\b
Exit codes:
  0  a cause was found (--batch: every line was a case)
  1  a --jobs worker process died: results stop after the line stderr names
  2  usage error, or unreadable, empty, binary or oversized input (or a bad --batch line)
  3  nothing matched: only `unknown`
  130  interrupted (Ctrl-C); --jobs workers are stopped too
""",
    params=[
        click.Argument(["source"], required=False, default=None, metavar="[FILE|-]"),
        *(
            click.Option(
                [o.flag, o.dest],
                type=_type(o),
                default=o.default,
                metavar=o.metavar,
                show_default=o.default is not None,
                help=o.help,
            )
            for o in OPTIONS
        ),
    ],
)
