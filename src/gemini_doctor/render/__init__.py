"""Renderers: terminal (rich on a TTY, plain when piped), JSON and Markdown."""

from __future__ import annotations

import json
from typing import TextIO

from ..redact import redact

FORMATS = ("text", "json", "markdown")


def render_diagnosis(result: dict, fmt: str, stream: TextIO, colour: bool | None = None) -> None:
    """Write one diagnosis (its JSON form) to *stream* in format *fmt*."""
    if fmt == "json":
        stream.write(to_json_line(result) + "\n")
    elif fmt == "markdown":
        from .markdown import diagnosis_markdown

        stream.write(diagnosis_markdown(result))
    else:
        from .layout import diagnosis_lines
        from .terminal import print_lines

        print_lines(diagnosis_lines(result), stream, colour)


def render_check(result: dict, fmt: str, stream: TextIO, colour: bool | None = None) -> None:
    """Write one check result (its JSON form) to *stream* in format *fmt*."""
    if fmt == "json":
        stream.write(to_json_line(result) + "\n")
    elif fmt == "markdown":
        from .check import check_markdown

        stream.write(check_markdown(result))
    else:
        from .check import check_lines
        from .terminal import print_lines

        print_lines(check_lines(result), stream, colour)


def to_json_line(result: dict) -> str:
    """Compact JSON on one line, secrets redacted."""
    return redact(json.dumps(result, ensure_ascii=False, separators=(",", ":")))
