"""explain --batch --jobs: a file's lines shared among forked processes give one process's output, byte for
byte, in every format; a worker that dies and Ctrl-C end the run cleanly, with their exit codes."""

import json
import os
import signal
import subprocess
import sys

import pytest

from conftest import invoke_cli, run_cli
from gemini_doctor.cli import batch_pool, explain_run

KEY = "AIzaSyA1234567890abcdefghijklmnopqrstu"  # made up, in Google's shape: it must come out redacted
BAD_LINES = [
    b"not json at all",
    b"",
    b'["an array", "not an object"]',
    b'{"id": "no-text"}',
    b'{"id": "bytes", "error_text": "\xff\xfe not UTF-8"}',
    b"   ",
    b'{"id": "crlf", "error_text": "API key expired. Please renew the API key."}\r',
]


def _batch(cases: list[dict], repeat: int = 1) -> bytes:
    """The cases as a --batch file, as benchmarks/explain_bench.py builds one (ids numbered per repetition),
    with a bad or odd line after every 20th case and one case quoting a key; no newline at the end."""
    lines = []
    for n in range(repeat):
        for i, case in enumerate(cases):
            lines.append(json.dumps({"id": f"{case['id']}-{n}", "error_text": case["error_text"]}).encode())
            if i % 20 == 7:
                lines.append(BAD_LINES[(i // 20 + n) % len(BAD_LINES)])
    lines.insert(len(lines) // 2, json.dumps({"id": 7, "error_text": f"API key not valid: {KEY}"}).encode())
    return b"\n".join(lines)


@pytest.fixture
def forks(monkeypatch) -> list[int]:
    """Small chunks (so a test batch spans many), and the pid of each worker the pool starts."""
    monkeypatch.setattr(batch_pool, "CHUNK_LINES", 16)
    started = []
    start = batch_pool._start

    def counted(*args):
        worker = start(*args)
        started.append(worker.pid)
        return worker

    monkeypatch.setattr(batch_pool, "_start", counted)
    return started


@pytest.mark.parametrize(
    ("fmt", "jobs", "env"),
    [
        ("json", ("1", "2", "auto", "3"), {}),
        ("text", ("1", "2", "auto"), {}),
        ("markdown", ("1", "2", "auto"), {}),
        ("text", ("1", "2"), {"FORCE_COLOR": "1"}),  # rich's colour, decided from the real output
    ],
)
def test_every_job_count_gives_the_output_of_one_process(tmp_path, error_cases, forks, fmt, jobs, env):
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(_batch(error_cases))
    runs = {
        n: invoke_cli("explain", "--batch", str(batch), "--format", fmt, "--jobs", n, env=env) for n in jobs
    }
    one = runs["1"]
    assert one.returncode == 2  # bad lines
    assert one.stderr.count(b"not a JSON object with a string error_text") == one.stdout.count(b'"line":')
    assert KEY[4:-4].encode() not in one.stdout + one.stderr and one.stdout.count(b"\n") > len(error_cases)
    if env:
        assert b"\x1b[" in one.stdout
    for n, run in runs.items():
        assert (run.returncode, run.stderr, run.stdout) == (one.returncode, one.stderr, one.stdout), n
    assert 2 <= len(forks) <= sum(int(n) if n.isdigit() else len(os.sched_getaffinity(0)) for n in jobs)


def test_all_good_lines_exit_0_and_small_batches_start_no_process(tmp_path, error_cases, forks):
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        "".join(json.dumps(c) + "\n" for c in error_cases[:80])
    )  # the parent's chunk, and 4 more
    one, many = (invoke_cli("explain", "--batch", str(batch), "--format", "json", "--jobs", n) for n in "14")
    assert many.returncode == one.returncode == 0 and many.stdout == one.stdout and len(forks) == 4
    batch.write_text("".join(json.dumps(c) + "\n" for c in error_cases[:16]))  # one chunk: the parent's own
    one, many = (invoke_cli("explain", "--batch", str(batch), "--format", "json", "--jobs", n) for n in "14")
    assert many.returncode == one.returncode == 0 and many.stdout == one.stdout and len(forks) == 4


def test_a_fresh_process_with_its_own_chunks_and_output_file(tmp_path, error_cases):
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(_batch(error_cases, repeat=2))  # more than two chunks of CHUNK_LINES
    assert batch.read_bytes().count(b"\n") > 2 * batch_pool.CHUNK_LINES
    one = invoke_cli("explain", "--batch", str(batch), "--format", "json", "--jobs", "1")
    done = run_cli(
        "explain",
        "--batch",
        str(batch),
        "--format",
        "json",
        "--jobs",
        "2",
        "--output",
        str(tmp_path / "out.json"),
    )
    assert done.returncode == 2 and done.stdout == b"" and done.stderr == one.stderr
    assert (tmp_path / "out.json").read_bytes() == one.stdout


def _crash_on(marker: str, how):
    """explain_run.diagnose, failing with *how* in a forked worker on a text holding *marker*."""
    parent, diagnose = os.getpid(), explain_run.diagnose

    def diagnose_or_fail(text: str, **known: str):
        if marker in text and os.getpid() != parent:
            how()
        return diagnose(text, **known)

    return diagnose_or_fail


@pytest.mark.parametrize(
    ("how", "said"),
    [
        (lambda: os.kill(os.getpid(), signal.SIGKILL), "was killed by SIGKILL"),
        (lambda: 1 / 0, "exited with code 1"),
    ],
)
def test_a_worker_that_dies_ends_the_run_with_exit_1_after_whole_chunks(
    tmp_path, error_cases, forks, monkeypatch, how, said
):
    cases = [{"id": n, "error_text": c["error_text"]} for n, c in enumerate(error_cases[:100])]
    cases[70]["error_text"] += " CRASH-HERE"  # line 71: in the chunk of lines 65-80
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(c) + "\n" for c in cases))
    whole = invoke_cli("explain", "--batch", str(batch), "--format", "json", "--jobs", "1")
    monkeypatch.setattr(explain_run, "diagnose", _crash_on("CRASH-HERE", how))
    done = invoke_cli("explain", "--batch", str(batch), "--format", "json", "--jobs", "2")
    assert done.returncode == 1, done.stderr
    message = done.stderr.decode()
    assert f"a --jobs worker process {said} while explaining lines 65-80;" in message
    assert "Traceback" not in message
    stop = int(message.split("the results stop after line ")[1].split(" ")[0])
    assert stop % 16 == 0 and stop < 65
    assert done.stdout.splitlines() == whole.stdout.splitlines()[:stop]


def _run_patched(patch: str, *args: str, **options) -> subprocess.CompletedProcess:
    """The CLI with *args* in a fresh interpreter, after *patch* (Python code) has run there."""
    prelude = "import os, signal, sys\nfrom gemini_doctor.cli import batch_pool, explain_run\n"
    start = "\nfrom gemini_doctor.cli.main import main\nsys.argv = ['gemini-doctor', *sys.argv[1:]]\nmain()\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + patch + start, *args], capture_output=True, timeout=60, **options
    )


@pytest.mark.parametrize("forks_allowed", [0, 1])
def test_when_no_more_processes_can_start(tmp_path, error_cases, forks, monkeypatch, forks_allowed):
    """The first fork failing ends the run after the parent's own chunk (exit 1); a later one, fewer workers
    go on with the same output."""
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(c) + "\n" for c in error_cases[:80]))
    whole = invoke_cli("explain", "--batch", str(batch), "--format", "json", "--jobs", "1")
    fork = os.fork

    def limited_fork() -> int:
        if len(forks) >= forks_allowed:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        return fork()

    monkeypatch.setattr(os, "fork", limited_fork)
    done = invoke_cli("explain", "--batch", str(batch), "--format", "json", "--jobs", "3")
    if forks_allowed:
        assert (done.returncode, done.stdout, done.stderr) == (0, whole.stdout, b"") and len(forks) == 1
        return
    assert done.returncode == 1 and not forks
    assert done.stderr == (
        b"gemini-doctor: cannot start a --jobs worker process (Resource temporarily unavailable); the "
        b"results stop after line 16 (run again with --jobs 1)\n"
    )
    assert done.stdout.splitlines() == whole.stdout.splitlines()[:16]


INTERRUPTING_WORKER = """
import time

# Ctrl-C as on a terminal, even where this test runs with SIGINT ignored (a job started with & in a script)
signal.signal(signal.SIGINT, signal.default_int_handler)
diagnose = explain_run.diagnose

def diagnose_or_interrupt(text, **known):
    if "INTERRUPT-HERE" in text:  # as Ctrl-C on a terminal: SIGINT to the whole process group
        with open(os.environ["PID_FILE"], "w") as pid_file:
            pid_file.write(str(os.getpid()))
        os.killpg(0, signal.SIGINT)
        time.sleep(60)  # until the parent stops it (or, should it not, not for ever)
    return diagnose(text, **known)

explain_run.diagnose = diagnose_or_interrupt
batch_pool.CHUNK_LINES = 16
"""


def test_ctrl_c_stops_the_workers_and_exits_130_without_a_traceback(tmp_path, error_cases):
    cases = [{"id": n, "error_text": c["error_text"]} for n, c in enumerate(error_cases[:100])]
    cases[70]["error_text"] += " INTERRUPT-HERE"
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(c) + "\n" for c in cases))
    pid_file = tmp_path / "worker.pid"
    done = _run_patched(
        INTERRUPTING_WORKER,
        *("explain", "--batch", str(batch), "--jobs", "2"),
        env={**os.environ, "PID_FILE": str(pid_file)},
        start_new_session=True,  # its own process group, which the worker interrupts
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr == b"gemini-doctor: interrupted\n"
    worker = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):  # stopped and reaped, not left behind
        os.kill(worker, 0)


def test_ctrl_c_in_one_process_exits_130_too(tmp_path, error_cases, monkeypatch):
    def interrupted(text: str, **known: str):
        raise KeyboardInterrupt

    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps(error_cases[0]) + "\n")
    monkeypatch.setattr(explain_run, "diagnose", interrupted)
    done = invoke_cli("explain", "--batch", str(batch), "--jobs", "1")
    assert (done.returncode, done.stderr) == (130, b"gemini-doctor: interrupted\n")


def test_a_pipe_stays_one_streaming_process(error_cases):
    lines = "".join(json.dumps(c) + "\n" for c in error_cases[:40]).encode()
    done = _run_patched(
        "batch_pool.CHUNK_LINES = 16\nbatch_pool.explain_in_pool = None  # not to be called\n",
        *("explain", "--batch", "-", "--format", "json", "--jobs", "2"),
        input=lines,
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 40
