"""Print layout lines: with rich and colour on a TTY, as plain text otherwise."""

from __future__ import annotations

from io import TextIOBase

from ..redact import redact
from .layout import Line


def print_lines(lines: list[Line], stream: TextIOBase, colour: bool | None = None) -> None:
    """Write *lines* to *stream*; colour defaults to whether the stream is a terminal."""
    if colour is None:
        colour = stream.isatty()
    if not colour:
        stream.write("".join(redact(text) + "\n" for _, text in lines))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, highlight=False, soft_wrap=True)
    for style, text in lines:
        console.print(Text(redact(text), style=style or ""))
