"""Print layout lines: with rich and colour on a TTY, as plain text otherwise; secrets redacted and
control characters from the inputs made visible either way."""

from __future__ import annotations

import os
from io import TextIOBase

from ..redact import redact
from ..textsafe import printable
from .layout import Line


def colour_wanted(stream: TextIOBase) -> bool:
    """Colour by the usual conventions: NO_COLOR turns it off, FORCE_COLOR on, else only on a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or stream.isatty()


def print_lines(lines: list[Line], stream: TextIOBase, colour: bool | None = None) -> None:
    """Write *lines* to *stream*; colour defaults to :func:`colour_wanted`."""
    if colour is None:
        colour = colour_wanted(stream)
    # redacted whole, before it is split: a secret may run across two lines
    texts = safe_text("".join(text + "\n" for _, text in lines)).split("\n")[:-1]
    if not colour:
        stream.write("".join(text + "\n" for text in texts))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, highlight=False, soft_wrap=True, force_terminal=True, no_color=False)
    styles = [style for style, _ in lines] if len(texts) == len(lines) else [""] * len(texts)
    for style, text in zip(styles, texts, strict=True):
        console.print(Text(text, style=style or ""))


def safe_line(text: str) -> str:
    """*text* fit for a terminal: secrets redacted, then every control character shown as an escape."""
    return printable(redact(text))


def safe_text(text: str) -> str:
    """Lines of *text* fit for a terminal: secrets redacted, then control characters shown as escapes
    in each line (so that no line can be split in two, or rewritten, by what it quotes)."""
    return "\n".join(map(printable, redact(text).split("\n")))
