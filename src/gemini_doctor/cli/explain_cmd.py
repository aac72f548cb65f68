"""``gemini-doctor explain`` as a click command, built from :data:`.explain_run.OPTIONS`.

A plain invocation never gets here (see :mod:`.explain_run`); this serves help, usage errors
and the rare argument forms the plain parser leaves to click.
"""

from __future__ import annotations

import sys

import click

from .explain_run import OPTIONS, run


def _explain(**params: str | None) -> None:
    sys.exit(run(**params))


explain = click.Command(
    "explain",
    callback=_explain,
    help="Explain an error pasted on stdin or read from FILE: ranked causes, evidence, fixes.",
    epilog="""\b
Examples:
  gemini-doctor explain                     # paste the error, then Ctrl-D
  gemini-doctor explain error.txt --project acme-prod
  pbpaste | gemini-doctor explain --format markdown
  gemini-doctor explain --batch errors.jsonl --format json

\b
Exit codes:
  0  a cause was found
  2  usage error, or unreadable, empty, binary or oversized input (or a bad --batch line)
  3  nothing matched: only `unknown`
""",
    params=[
        click.Argument(["source"], required=False, default=None, metavar="[FILE|-]"),
        *(
            click.Option(
                [o.flag, o.dest],
                type=click.Choice(o.choices) if o.choices else str,
                default=o.default,
                metavar=o.metavar,
                show_default=o.default is not None,
                help=o.help,
            )
            for o in OPTIONS
        ),
    ],
)
