"""``gemini-doctor explain`` without click: its options as data, a plain parser, and the run itself.

Start-up is part of the product (`explain` must answer within 5x a bare interpreter), and
importing click alone costs a third of that budget. So a plain invocation (known options, one
optional FILE) is parsed here; anything else (help, a typo, an unknown option) goes to the click
command built from the same :data:`OPTIONS` in :mod:`.explain_cmd`, which gives click's messages.
"""

from __future__ import annotations

import functools
import json
import os
import stat
import sys
from collections.abc import Iterable

from ..api import explain as diagnose
from ..engine import Diagnosis
from ..evidence import MAX_INPUT_CHARS
from ..jsontext import encode
from ..redact import redact_json
from ..render import FORMATS, render, to_json_line
from . import plain_args
from .plain_args import Option

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (`explain` starts light)
if TYPE_CHECKING:
    from typing import TextIO

EXIT_FOUND, EXIT_POOL_FAILED, EXIT_USAGE, EXIT_UNKNOWN = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C
MAX_INPUT_BYTES = MAX_INPUT_CHARS
BAD_LINE = "not a JSON object with a string error_text"


def jobs_problem(value: str) -> str | None:
    """What is wrong with a ``--jobs`` value; None for a whole number >= 1 or ``auto``."""
    if value == "auto" or (value.isascii() and value.isdigit() and int(value) >= 1):
        return None
    return f"{value!r} is not a whole number of processes (1 or more) or 'auto'."


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
    Option(
        "--jobs",
        "jobs",
        None,
        "auto",
        "N|auto",
        "With --batch FILE: explain its lines in N processes (auto: one per CPU core this process may use), "
        "with the output of one.",
        jobs_problem,
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
    jobs: str = "auto",
) -> int:
    """Explain one error (from *source*, default stdin) or a JSONL *batch* (in *jobs* processes), to stdout or
    *output*; returns the exit code. Ctrl-C ends it quietly with exit code 130."""
    try:
        if output is None:
            return _run(source, fmt, batch, project, jobs)
        try:
            handle = open(output, "w", encoding="utf-8")  # noqa: SIM115 - opened before any work, closed by the with below
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror or exc}")
        stdout = sys.stdout
        with handle:
            sys.stdout = handle
            try:
                return _run(source, fmt, batch, project, jobs)
            finally:
                sys.stdout = stdout
    except KeyboardInterrupt:
        sys.stderr.write("gemini-doctor: interrupted\n")
        return EXIT_INTERRUPTED


def _run(source: str | None, fmt: str, batch: str | None, project: str | None, jobs: str) -> int:
    known = {"project": project} if project else {}
    if batch:
        if source is not None:
            _fail(f"give either --batch {batch} or {source}, not both")
        return _run_batch(batch, fmt, known, processes(jobs))
    text = _read_input(source or "-")
    diagnosis = diagnose(text, **known)
    _write(diagnosis, fmt, sys.stdout)
    return EXIT_FOUND if diagnosis.found else EXIT_UNKNOWN


def processes(jobs: str) -> int:
    """How many processes ``--jobs`` asks for; ``auto``: the CPUs this process may run on."""
    if jobs != "auto":
        return int(jobs)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _write(
    diagnosis: Diagnosis, fmt: str, out: TextIO, case: dict | None = None, colour: bool | None = None
) -> None:
    """Render *diagnosis* to *out*; a batch *case*'s ``id``, when it has one, comes first."""
    with_id = case is not None and "id" in case
    if fmt == "json":  # straight from the JSON text (no dict in between), redacted as render() would
        values: list[str] = []  # the parts that may hold text from the input (for the secret scan)
        text = diagnosis.json_text(values)
        if with_id:
            values.append(id_json := encode(case["id"]))
            text = f'{{"id":{id_json},{text[1:]}'
        out.write(redact_json(text, values) + "\n")
    else:
        result = diagnosis.to_dict()
        render({"id": case["id"], **result} if with_id else result, fmt, out, colour=colour)


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


def _run_batch(path: str, fmt: str, known: dict, processes: int) -> int:
    """One result per input line, in order (see :func:`explain_lines`); a regular file's lines are shared
    among *processes* (:mod:`.batch_pool`), with the same output."""
    from ..render.terminal import colour_wanted

    try:
        handle = _open_input(path)
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}")
    explain = functools.partial(explain_lines, fmt=fmt, known=known, colour=colour_wanted(sys.stdout))
    with handle:
        if processes == 1 or not hasattr(os, "fork") or not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return explain(enumerate(handle, 1), sys.stdout, sys.stderr)
        from .batch_pool import PoolFailed, explain_in_pool

        try:
            return explain_in_pool(handle, processes, explain, sys.stdout, sys.stderr)
        except PoolFailed as exc:
            sys.stderr.write(f"gemini-doctor: {exc}\n")
            return EXIT_POOL_FAILED


def explain_lines(
    lines: Iterable[tuple[int, bytes]], out: TextIO, err: TextIO, *, fmt: str, known: dict, colour: bool
) -> int:
    """Explain numbered JSONL batch lines to *out* in order, skipping blank ones; a line that is not a case
    gets an error object there and a message on *err*. Returns the exit code: 2 if a line was bad, else 0."""
    status = EXIT_FOUND
    for number, raw in lines:
        if not raw.strip():
            continue
        case = _batch_case(raw)
        if case is None:
            status = EXIT_USAGE
            err.write(f"gemini-doctor: line {number}: {BAD_LINE}\n")
            out.write(to_json_line({"line": number, "error": BAD_LINE}) + "\n")
            continue
        _write(diagnose(case["error_text"], **known), fmt, out, case, colour)
    return status


def _number(text: str) -> float | str:
    """A JSON number; one too large for a float (1e999) is kept as its text, which JSON can carry."""
    from math import isfinite  # here: only batch lines with fractions or exponents need it (starts light)

    value = float(text)
    return value if isfinite(value) else text


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
