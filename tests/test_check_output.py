"""check as a person meets it: a checklist that streams on a terminal and ends with a tally; -q, -v, --output."""

import json
import os
import pty
import subprocess
import sys

from check_helpers import user_env
from conftest import run_cli
from gemini_doctor.emulator.scenarios import KEY, scenario_world
from gemini_doctor.emulator.testing import gemini_emulator  # noqa: F401


def _check_env(emu, tmp_path) -> dict:
    return {**os.environ, **user_env(emu, tmp_path), "PYTHONIOENCODING": "utf-8"}


def test_on_a_terminal_each_line_comes_as_its_probe_finishes_and_a_tally_ends_it(gemini_emulator, tmp_path):
    world = scenario_world("service_disabled")
    world["faults"] = [{"path_contains": "billingInfo", "kind": "timeout"}]    # one probe waits for its timeout
    emu = gemini_emulator(world)
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "gemini_doctor", "check", "--endpoint", emu.url, "--timeout", "4"],
                            stdin=subprocess.DEVNULL, stdout=terminal, stderr=subprocess.PIPE, env=_check_env(emu, tmp_path))
    os.close(terminal)
    seen, running_at_first_check = b"", None
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:          # the terminal closed: the process has ended
            break
        if not chunk:
            break
        seen += chunk
        if running_at_first_check is None and "✓".encode() in seen:
            running_at_first_check = proc.poll() is None
    proc.wait(timeout=60)
    os.close(controller)
    text = seen.decode(errors="replace")
    assert text.index("Credential:") < text.index("✓"), text
    assert running_at_first_check, "the first checklist line should show while a probe is still waiting"
    tally = [line for line in text.splitlines() if " checks: " in line]
    assert tally and "passed" in tally[-1] and "could not check" in tally[-1], text


def test_quiet_verbose_and_output(gemini_emulator, tmp_path):
    emu = gemini_emulator("service_disabled")
    env = user_env(emu, tmp_path)
    quiet = run_cli("check", "-q", "--endpoint", emu.url, env=env)
    assert quiet.returncode == 1 and quiet.stdout.decode().strip().count("\n") == 0
    assert "service_disabled" in quiet.stdout.decode()
    verbose = run_cli("check", "-v", "--format", "json", "--endpoint", emu.url, env=env)
    log = verbose.stderr.decode()
    assert json.loads(verbose.stdout)["causes"][0]["id"] == "service_disabled"
    assert f"http: POST {emu.url}" in log or f"http: GET {emu.url}" in log, log
    assert " -> 403 PERMISSION_DENIED" in log and KEY not in log and KEY[-8:] not in log
    report = tmp_path / "report.md"
    done = run_cli("check", "--format", "markdown", "--output", str(report), "--endpoint", emu.url, env=env)
    assert done.stdout == b"" and report.read_text().startswith("## gemini-doctor check")
    script = run_cli("fix", "-q", "--endpoint", emu.url, env=env).stdout.decode()
    assert script == "gcloud services enable generativelanguage.googleapis.com --project=acme-prod\n", script
