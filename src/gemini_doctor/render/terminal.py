"""Print layout lines: with rich and colour on a TTY, as plain text otherwise; secrets redacted and
control characters from the inputs made visible either way."""

from __future__ import annotations

from io import TextIOBase

from ..redact import redact
from ..textsafe import printable
from .layout import Line


def print_lines(lines: list[Line], stream: TextIOBase, colour: bool | None = None) -> None:
    """Write *lines* to *stream*; colour defaults to whether the stream is a terminal."""
    if colour is None:
        colour = stream.isatty()
    if not colour:
        stream.write("".join(safe_line(text) + "\n" for _, text in lines))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, highlight=False, soft_wrap=True)
    for style, text in lines:
        console.print(Text(safe_line(text), style=style or ""))


def safe_line(text: str) -> str:
    """*text* fit for a terminal: secrets redacted, then every control character shown as an escape."""
    return printable(redact(text))


def safe_text(text: str) -> str:
    """Lines of *text* fit for a terminal: secrets redacted, then control characters shown as escapes
    in each line (so that no line can be split in two, or rewritten, by what it quotes)."""
    return "\n".join(map(printable, redact(text).split("\n")))
