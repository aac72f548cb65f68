"""No control character or escape sequence from an input reaches the terminal, on a TTY or piped:
explain, check, fix, scan and run's summary show them as visible escapes."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys

import pytest

from conftest import invoke_cli, run_cli
from fake_google import FakeGoogle, answering

# A window-title change, a screen clear, a colour, a cursor move, a bell, a carriage return that
# overwrites the line, a C1 CSI, a backspace, and a right-to-left override.
HOSTILE = "\x1b]0;owned\x07 \x1b[2J \x1b[31mred \x1b[1A\r\x9b31m \x08\x08 \u202etxt.exe"
# What may appear in the output: rich's own colours on a TTY, and the TTY's own line ends.
RICH_STYLES = re.compile(r"\x1b\[[0-9;]*m")
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _error(message: str = HOSTILE, project: str = "acme" + HOSTILE) -> dict:
    return {
        "error": {
            "code": 403,
            "status": "PERMISSION_DENIED",
            "message": f"Permission denied: {message}",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "SERVICE_DISABLED",
                    "domain": "googleapis.com",
                    "metadata": {
                        "consumer": f"projects/{project}",
                        "service": "generativelanguage.googleapis.com",
                    },
                }
            ],
        }
    }


def _assert_safe(output: str, where: str, tty: bool = False, shown: bool = True) -> None:
    if tty:
        output = RICH_STYLES.sub("", output).replace("\r\n", "\n")
    bad = UNSAFE.search(output)
    assert bad is None, (
        f"{where}: {bad.group(0)!r} reached the terminal in "
        f"{output[max(0, bad.start() - 60) : bad.end() + 20]!r}"
    )
    assert not shown or "owned" in output, f"{where}: the hostile text was not shown at all"


def _on_a_tty(args: list[str], stdin: bytes) -> str:
    """The CLI's output when stdout is a terminal (a pseudo-terminal here)."""
    master, slave = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "gemini_doctor", *args],
        stdin=subprocess.PIPE,
        stdout=slave,
        stderr=slave,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"},
    ) as child:
        os.close(slave)
        child.stdin.write(stdin)
        child.stdin.close()
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed its side
                break
            if not chunk:
                break
            chunks.append(chunk)
        child.wait(60)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_explain_piped(fmt):
    out = invoke_cli("explain", "--format", fmt, input=json.dumps(_error()))
    _assert_safe(out.stdout.decode(), f"explain --format {fmt}")


def test_explain_scan_and_run_on_a_tty(tmp_path):
    text = json.dumps(_error())
    _assert_safe(_on_a_tty(["explain"], text.encode()), "explain on a TTY", tty=True)
    log = tmp_path / "app.log"
    log.write_text(text + "\n" + f"2026-11-30T10:00:00Z ERROR google.genai 403 PERMISSION_DENIED {HOSTILE}\n")
    _assert_safe(_on_a_tty(["scan", str(log)], b""), "scan on a TTY", tty=True)
    run_out = _on_a_tty(
        [
            "run",
            "--",
            sys.executable,
            "-c",
            "import sys; sys.stderr.write(open(sys.argv[1]).read())",
            str(log),
        ],
        b"",
    )
    summary = run_out.split("Scanned", 1)[-1]  # the child's own output passes through unchanged, by design
    _assert_safe(summary, "run's summary on a TTY", tty=True)


def test_scan_and_run_piped(tmp_path):
    log = tmp_path / "app.log"
    log.write_text(json.dumps(_error()) + "\n")
    _assert_safe(invoke_cli("scan", str(log)).stdout.decode(), "scan")
    done = run_cli("run", "--", sys.executable, "-c", f"print(open({str(log)!r}).read())")
    _assert_safe(done.stderr.decode(), "run's summary")


def _fake_google_env(tmp_path) -> dict[str, str]:
    return {
        "GEMINI_API_KEY": "AIzaSyD-fake-key-for-a-hostile-test-00",
        "HOME": str(tmp_path),
        "NO_GCE_CHECK": "true",
        "CLOUDSDK_CONFIG": str(tmp_path / "gcloud"),
        "GOOGLE_API_KEY": "",
        "GOOGLE_APPLICATION_CREDENTIALS": "",
        "GOOGLE_CLOUD_PROJECT": "",
        "GOOGLE_GENAI_USE_VERTEXAI": "",
    }


@pytest.mark.parametrize("command", ["check", "fix"])
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_check_and_fix_with_escape_sequences_in_googles_answers(command, fmt, tmp_path):
    with FakeGoogle(answering(403, _error())) as google:
        done = invoke_cli(
            command,
            "--endpoint",
            google.url,
            "--timeout",
            "5",
            "--format",
            fmt,
            env=_fake_google_env(tmp_path),
        )
    assert b"Traceback" not in done.stderr, done.stderr.decode()
    _assert_safe(done.stdout.decode(), f"{command} --format {fmt}", shown=command == "check")
