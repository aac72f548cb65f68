"""``gemini-doctor explain``: one error from a file or stdin, or many with ``--batch``."""

from __future__ import annotations

import json
import sys

import click

from ..api import explain as diagnose
from ..evidence import MAX_INPUT_CHARS
from ..render import FORMATS, render, to_json_line

EXIT_FOUND, EXIT_USAGE, EXIT_UNKNOWN = 0, 2, 3
MAX_INPUT_BYTES = MAX_INPUT_CHARS


@click.command()
@click.argument("source", required=False, default="-", metavar="[FILE|-]")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--batch", type=click.Path(dir_okay=False), help="JSONL file: one {\"id\", \"error_text\"} object per line.")
@click.option("--project", help="Your project ID, to fill into fixes when the error does not name it.")
def explain(source: str, fmt: str, batch: str | None, project: str | None) -> None:
    """Explain an error pasted on stdin or read from FILE: ranked causes, evidence, fixes."""
    known = {"project": project} if project else {}
    if batch:
        sys.exit(_run_batch(batch, fmt, known))
    text = _read_input(source)
    diagnosis = diagnose(text, **known)
    render(diagnosis.to_dict(), fmt, sys.stdout)
    sys.exit(EXIT_FOUND if diagnosis.found else EXIT_UNKNOWN)


def _read_input(source: str) -> str:
    try:
        if source == "-":
            if sys.stdin is None or sys.stdin.isatty():
                _fail("paste the error on stdin (end with Ctrl-D), or give a file: gemini-doctor explain error.txt")
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            with open(source, "rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        _fail(f"cannot read {source}: {exc.strerror or exc}")
    if len(data) > MAX_INPUT_BYTES:
        _fail("input is larger than 1 MiB; paste only the error (for whole logs, split them or use --batch)")
    text = data.decode("utf-8", errors="replace").strip()
    if not text:
        _fail("the input is empty: paste the error text you got")
    return text


def _run_batch(path: str, fmt: str, known: dict) -> int:
    """One result per input line, in order; bad lines get an error object and exit code 2."""
    status = EXIT_FOUND
    try:
        handle = open(path, "rb")
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}")
    with handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            case = _batch_case(raw)
            if case is None:
                status = EXIT_USAGE
                click.echo(f"gemini-doctor: line {number}: not a JSON object with a string error_text", err=True)
                sys.stdout.write(to_json_line({"line": number, "error": "not a JSON object with a string error_text"}) + "\n")
                continue
            result = diagnose(case["error_text"], **known).to_dict()
            if "id" in case:
                result = {"id": case["id"], **result}
            render(result, fmt, sys.stdout)
    return status


def _batch_case(raw: bytes) -> dict | None:
    try:
        case = json.loads(raw[: MAX_INPUT_BYTES * 2])
    except (ValueError, RecursionError):
        return None
    if not isinstance(case, dict) or not isinstance(case.get("error_text"), str):
        return None
    return case


def _fail(message: str) -> None:
    click.echo(f"gemini-doctor: {message}", err=True)
    sys.exit(EXIT_USAGE)
