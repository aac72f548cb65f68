"""What a careful user expects of any command line: pasting on a terminal, pipes, usage errors,
conventions."""

import json
import os
import pty
import subprocess
import sys

from conftest import invoke_cli

SCOPE = (
    '{"error":{"code":403,"message":"Request had insufficient authentication '
    'scopes.","status":"PERMISSION_DENIED"}}'
)


def test_explain_on_a_terminal_reads_the_paste_until_ctrl_d():
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gemini_doctor", "explain", "--format", "json"],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
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
    proc = subprocess.Popen(
        [sys.executable, "-m", "gemini_doctor", "explain", "--batch", str(batch), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.readline()
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_batch_reads_stdin_with_dash_and_refuses_a_second_input(tmp_path):
    line = json.dumps({"id": "a", "error_text": SCOPE})
    done = invoke_cli("explain", "--batch", "-", "--format", "json", input=line)
    assert done.returncode == 0 and json.loads(done.stdout)["id"] == "a"
    batch = tmp_path / "b.jsonl"
    batch.write_text(line)
    done = invoke_cli("explain", "--batch", str(batch), str(batch))
    assert done.returncode == 2 and b"not both" in done.stderr and done.stdout == b""


def test_oversized_input_points_to_scan():
    done = invoke_cli("explain", input=b"x" * ((1 << 20) + 10))
    assert done.returncode == 2 and b"gemini-doctor scan" in done.stderr


def test_endpoint_that_is_not_a_url_is_a_usage_error():
    for command in ("check", "fix"):
        done = invoke_cli(command, "--endpoint", "not-a-url", timeout=30)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert b"--endpoint" in done.stderr and b"http" in done.stderr and b"Traceback" not in done.stderr


def test_every_command_documents_examples_and_exit_codes_in_help():
    for command in ("explain", "check", "fix", "scan", "run", "emulate", "demo"):
        out = invoke_cli(command, "--help").stdout.decode()
        assert "Examples:" in out and "Exit codes:" in out, command
    top = invoke_cli("--help").stdout.decode()
    assert "_GEMINI_DOCTOR_COMPLETE=bash_source" in top and "NO_COLOR" in top


def test_shell_completion_offers_the_scenarios():
    env = {
        "COMP_WORDS": "gemini-doctor emulate --scenario service_",
        "COMP_CWORD": "3",
        "_GEMINI_DOCTOR_COMPLETE": "bash_complete",
    }
    assert "service_disabled" in invoke_cli(env=env).stdout.decode()
    assert "complete" in invoke_cli(env={"_GEMINI_DOCTOR_COMPLETE": "bash_source"}).stdout.decode()


def test_scenario_is_a_choice_and_emulate_says_what_it_serves():
    bad = invoke_cli("emulate", "--scenario", "no_such_thing")
    assert bad.returncode == 2 and b"service_disabled" in bad.stderr
    proc = subprocess.Popen(
        [sys.executable, "-m", "gemini_doctor", "emulate"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert proc.stdout.readline().startswith(b"listening on http://127.0.0.1:")
    finally:
        proc.terminate()
    assert b"healthy" in proc.communicate(timeout=30)[1]


def test_colour_follows_no_color_and_force_color():
    forced = invoke_cli("explain", input=SCOPE, env={"FORCE_COLOR": "1"}).stdout
    assert b"\x1b[" in forced
    plain = invoke_cli("explain", input=SCOPE, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert b"\x1b[" not in plain


def test_output_file_for_explain_and_scan(tmp_path):
    report = tmp_path / "out.json"
    done = invoke_cli("explain", "--format", "json", "--output", str(report), input=SCOPE)
    assert done.returncode == 0 and done.stdout == b"" and json.loads(report.read_text())["causes"]
    log = tmp_path / "app.log"
    log.write_text(SCOPE + "\n")
    done = invoke_cli("scan", str(log), "--output", str(report))
    assert done.returncode == 1 and done.stdout == b"" and "scope_insufficient" in report.read_text()
    bad = invoke_cli("explain", "--output", str(tmp_path / "missing" / "x.json"), input=SCOPE)
    assert bad.returncode == 2 and b"cannot write" in bad.stderr


def test_scan_names_each_file_and_keeps_one_line_per_field(tmp_path):
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    first.write_text("boot\n" + SCOPE + "\n")
    second.write_text("x\ny\n" + SCOPE.replace("scopes.", "scopes.\\nsecond line of the message") + "\n")
    out = invoke_cli("scan", str(first), str(second)).stdout.decode()
    assert f"first {first}:2" in out and f"last {second}:3" in out, out
    assert "models: unknown" not in out
    example = next(line for line in out.splitlines() if "e.g." in line)
    assert "«" in example and "»" in example
