"""``gemini-doctor explain`` without click: its options as data, a plain parser, and the run itself.

Start-up is part of the product (`explain` must answer within 5x a bare interpreter), and
importing click alone costs a third of that budget. So a plain invocation (known options, one
optional FILE) is parsed here; anything else (help, a typo, an unknown option) goes to the click
command built from the same :data:`OPTIONS` in :mod:`.explain_cmd`, which gives click's messages.
"""

from __future__ import annotations

import json
import math
import sys

from ..api import explain as diagnose
from ..engine import Diagnosis
from ..evidence import MAX_INPUT_CHARS
from ..jsontext import encode
from ..redact import redact_json
from ..render import FORMATS, render, to_json_line
from . import plain_args
from .plain_args import Option

EXIT_FOUND, EXIT_USAGE, EXIT_UNKNOWN = 0, 2, 3
MAX_INPUT_BYTES = MAX_INPUT_CHARS

OPTIONS = (
    Option(
        "--format",
        "fmt",
        FORMATS,
        "text",
        None,
        "Output: text for people, json for machines, markdown for tickets.",
    ),
    Option(
        "--batch",
        "batch",
        None,
        None,
        "FILE.jsonl",
        'JSONL file (- for stdin): one {"id", "error_text"} object per line.',
    ),
    Option(
        "--project",
        "project",
        None,
        None,
        "PROJECT_ID",
        "Your project ID, to fill into fixes when the error does not name it.",
    ),
    Option("--output", "output", None, None, "FILE", "Write the result to FILE, not stdout."),
)


def parse_plain(argv: list[str]) -> dict | None:
    """The command's parameters from *argv*, as click would give them; None when *argv* is anything
    but known options with valid values and at most one FILE (click then handles it)."""
    parsed = plain_args.parse_plain(argv, OPTIONS)
    if parsed is None or len(parsed[1]) > 1:
        return None
    values, files = parsed
    return {"source": files[0] if files else None, **values}


def run(
    source: str | None = None,
    fmt: str = "text",
    batch: str | None = None,
    project: str | None = None,
    output: str | None = None,
) -> int:
    """Explain one error (from *source*, default stdin) or a JSONL *batch*, to stdout or *output*; returns the
    exit code."""
    if output is None:
        return _run(source, fmt, batch, project)
    try:
        handle = open(output, "w", encoding="utf-8")  # noqa: SIM115 - opened before any work, closed by the with below
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")
    stdout = sys.stdout
    with handle:
        sys.stdout = handle
        try:
            return _run(source, fmt, batch, project)
        finally:
            sys.stdout = stdout


def _run(source: str | None, fmt: str, batch: str | None, project: str | None) -> int:
    known = {"project": project} if project else {}
    if batch:
        if source is not None:
            _fail(f"give either --batch {batch} or {source}, not both")
        return _run_batch(batch, fmt, known)
    text = _read_input(source or "-")
    diagnosis = diagnose(text, **known)
    _write(diagnosis, fmt)
    return EXIT_FOUND if diagnosis.found else EXIT_UNKNOWN


def _write(diagnosis: Diagnosis, fmt: str, case: dict | None = None) -> None:
    """Render *diagnosis*; a batch *case*'s ``id``, when it has one, comes first."""
    with_id = case is not None and "id" in case
    if fmt == "json":  # straight from the JSON text (no dict in between), redacted as render() would
        values: list[str] = []  # the parts that may hold text from the input (for the secret scan)
        text = diagnosis.json_text(values)
        if with_id:
            values.append(id_json := encode(case["id"]))
            text = f'{{"id":{id_json},{text[1:]}'
        sys.stdout.write(redact_json(text, values) + "\n")
    else:
        result = diagnosis.to_dict()
        render({"id": case["id"], **result} if with_id else result, fmt, sys.stdout)


def _read_input(source: str) -> str:
    try:
        with _open_input(source) as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        _fail(f"cannot read {source}: {exc.strerror or exc}")
    if len(data) > MAX_INPUT_BYTES:
        _fail(
            "input is larger than 1 MiB: paste only the error, or for a whole log run gemini-doctor scan FILE"
        )
    if _looks_binary(data):
        _fail(
            f"{'stdin' if source == '-' else source} holds binary data, not an error text: paste the error "
            "message itself"
        )
    text = data.decode("utf-8", errors="replace").strip()
    if not text:
        _fail("the input is empty: paste the error text you got")
    return text


def _open_input(source: str):
    """*source* opened for binary reading; on a terminal, stdin is read until Ctrl-D, with a hint on
    stderr."""
    if source != "-":
        return open(source, "rb")
    if sys.stdin is None:
        _fail("no stdin to read: give a file, e.g. gemini-doctor explain error.txt")
    if sys.stdin.isatty():
        sys.stderr.write(
            "gemini-doctor: paste the error, then press Ctrl-D on an empty line (Ctrl-Z Enter on Windows)\n"
        )
        sys.stderr.flush()
    return open(sys.stdin.fileno(), "rb", closefd=False)


_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")


def _looks_binary(data: bytes) -> bool:
    """A NUL byte, or more than 1 in 20 of the first 8 KiB being control characters that text never holds."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if (byte < 32 or byte == 127) and byte not in _TEXT_CONTROLS)
    return controls * 20 > len(head)


def _run_batch(path: str, fmt: str, known: dict) -> int:
    """One result per input line, in order; bad lines get an error object and exit code 2."""
    status = EXIT_FOUND
    try:
        handle = _open_input(path)
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}")
    with handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            case = _batch_case(raw)
            if case is None:
                status = EXIT_USAGE
                sys.stderr.write(
                    f"gemini-doctor: line {number}: not a JSON object with a string error_text\n"
                )
                sys.stdout.write(
                    to_json_line({"line": number, "error": "not a JSON object with a string error_text"})
                    + "\n"
                )
                continue
            _write(diagnose(case["error_text"], **known), fmt, case)
    return status


def _number(text: str) -> float | str:
    """A JSON number; one too large for a float (1e999) is kept as its text, which JSON can carry."""
    value = float(text)
    return value if math.isfinite(value) else text


# NaN and Infinity are not JSON: read as the strings they are written as, so an id echoes as valid JSON
_DECODER = json.JSONDecoder(parse_constant=str, parse_float=_number)


def _batch_case(raw: bytes) -> dict | None:
    try:  # json.loads(bytes) would also guess UTF-16/32, which line splitting has already broken
        case = _DECODER.decode(
            raw[: MAX_INPUT_BYTES * 2].decode("utf-8", "surrogatepass").removeprefix("\ufeff")
        )
    except (ValueError, RecursionError):
        return None
    if not isinstance(case, dict) or not isinstance(case.get("error_text"), str):
        return None
    return case


def _fail(message: str) -> None:
    """Exit on a usage error; *message* may quote what was given (a path), so it is shown safe."""
    from ..render.terminal import safe_line

    sys.stderr.write(f"gemini-doctor: {safe_line(message)}\n")
    sys.exit(EXIT_USAGE)
