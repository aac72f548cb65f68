"""Renderers: terminal (rich on a TTY, plain when piped), JSON and Markdown.

Importing this package is cheap (the CLI's help needs only FORMATS): what renders is imported on use.
"""

from __future__ import annotations

from importlib import import_module
from io import TextIOBase

FORMATS = ("text", "json", "markdown")


# view -> (module, terminal-lines function, markdown function); imported only when used
_VIEWS = {"diagnosis": ("layout", "diagnosis_lines", "markdown", "diagnosis_markdown"),
          "check": ("check", "check_lines", "check", "check_markdown")}


def render(result: dict, fmt: str, stream: TextIOBase, view: str = "diagnosis", colour: bool | None = None) -> None:
    """Write one result (its JSON form) to *stream* in format *fmt*; *view* is "diagnosis" or "check"."""
    if fmt == "json":
        from ..jsontext import encode

        write_json(encode(result), stream)
        return
    lines_module, lines_fn, markdown_module, markdown_fn = _VIEWS[view]
    if fmt == "markdown":
        stream.write(getattr(import_module(f"{__name__}.{markdown_module}"), markdown_fn)(result))
        return
    from .terminal import print_lines

    print_lines(getattr(import_module(f"{__name__}.{lines_module}"), lines_fn)(result), stream, colour)


def to_json_line(result: dict) -> str:
    """Compact JSON on one line, secrets redacted; ASCII only (other characters escaped), which also
    keeps the redaction pass over it cheap."""
    from ..jsontext import encode
    from ..redact import redact

    return redact(encode(result))


def write_json(text: str, stream: TextIOBase) -> None:
    """Write compact JSON *text* (from :mod:`..jsontext`) as one line, secrets redacted."""
    from ..redact import redact

    stream.write(redact(text) + "\n")
