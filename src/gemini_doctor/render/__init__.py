"""Renderers: one interface for every command's output (explain, check, fix, fix --apply, scan, demo) in every
format.

``render(result, fmt, stream, view, **options)`` writes a command's result (its JSON form): ``text`` for
people (rich and colour on a TTY, plain when piped), ``json`` for machines (one compact line), ``markdown``
for tickets. Each view is a module here ending with ``VIEW = View(lines, markdown, json_form)`` (see
:class:`.layout.View`); the sinks here redact every format once, and the terminal's makes every line
printable.

Importing this package is cheap (the CLI's help needs only FORMATS): a view is imported when used.
"""

from __future__ import annotations

from importlib import import_module
from io import TextIOBase

FORMATS = ("text", "json", "markdown")
# view -> its module here
VIEWS = {
    "diagnosis": "diagnosis",
    "check": "check",
    "fix": "fixes",
    "apply": "apply",
    "scan": "scan",
    "demo": "demo",
}


def render(
    result: dict,
    fmt: str,
    stream: TextIOBase,
    view: str = "diagnosis",
    colour: bool | None = None,
    **options: object,
) -> None:
    """Write one *result* to *stream* in format *fmt* as *view* shows it; *options* are the command's
    (``quiet``, scan's ``source``...), passed to the view."""
    shown = import_module(f"{__name__}.{VIEWS[view]}").VIEW
    if fmt == "json":
        stream.write(to_json_line(shown.json_form(result) if shown.json_form else result) + "\n")
    elif fmt == "markdown":
        from ..redact import redact

        stream.write(redact(shown.markdown(result, **options)))
    else:
        from .terminal import print_lines

        print_lines(shown.lines(result, **options), stream, colour)


def to_json_line(result: dict) -> str:
    """Compact JSON on one line, secrets redacted; ASCII only (other characters escaped), which also
    keeps the redaction pass over it cheap."""
    from ..jsontext import encode
    from ..redact import redact

    return redact(encode(result))
