"""What a careful user expects of any command line: pasting on a terminal, pipes, usage errors, conventions."""

import json
import os
import pty
import subprocess
import sys

from conftest import run_cli

SCOPE = '{"error":{"code":403,"message":"Request had insufficient authentication scopes.","status":"PERMISSION_DENIED"}}'


def test_explain_on_a_terminal_reads_the_paste_until_ctrl_d():
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "gemini_doctor", "explain", "--format", "json"],
                            stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(terminal)
    os.write(controller, SCOPE.encode() + b"\n\x04")
    out, err = proc.communicate(timeout=60)
    os.close(controller)
    assert proc.returncode == 0, err
    assert json.loads(out)["causes"][0]["id"] == "scope_insufficient"
    assert b"Ctrl-D" in err


def test_a_reader_that_goes_away_ends_quietly(tmp_path):
    batch = tmp_path / "many.jsonl"
    batch.write_text("\n".join(json.dumps({"id": n, "error_text": SCOPE}) for n in range(3000)))
    proc = subprocess.Popen([sys.executable, "-m", "gemini_doctor", "explain", "--batch", str(batch), "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()                                   # as `| head -1` does
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_batch_reads_stdin_with_dash_and_refuses_a_second_input(tmp_path):
    line = json.dumps({"id": "a", "error_text": SCOPE})
    done = run_cli("explain", "--batch", "-", "--format", "json", input=line)
    assert done.returncode == 0 and json.loads(done.stdout)["id"] == "a"
    batch = tmp_path / "b.jsonl"
    batch.write_text(line)
    done = run_cli("explain", "--batch", str(batch), str(batch))
    assert done.returncode == 2 and b"not both" in done.stderr and done.stdout == b""


def test_oversized_input_points_to_scan():
    done = run_cli("explain", input=b"x" * ((1 << 20) + 10))
    assert done.returncode == 2 and b"gemini-doctor scan" in done.stderr


def test_endpoint_that_is_not_a_url_is_a_usage_error():
    for command in ("check", "fix"):
        done = run_cli(command, "--endpoint", "not-a-url", timeout=30)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert b"--endpoint" in done.stderr and b"http" in done.stderr and b"Traceback" not in done.stderr
