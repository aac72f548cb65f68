"""`gemini-doctor emulate` as a user runs it: first line, credentials, clean stop, bad worlds."""

import json
import signal
import subprocess
import sys

import httpx

from gemini_doctor.emulator.scenarios import scenario_names


def _start(*args):
    proc = subprocess.Popen(
        [sys.executable, "-m", "gemini_doctor", "emulate", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = proc.stdout.readline().strip()
    return proc, first


def test_serves_until_sigterm_and_writes_credentials(tmp_path):
    proc, first = _start("--scenario", "service_disabled", "--write-credentials", str(tmp_path))
    try:
        assert first.startswith("listening on http://127.0.0.1:")
        url = first.removeprefix("listening on ")
        env = (tmp_path / "env.sh").read_text()
        key = next(
            line.split("=", 1)[1] for line in env.splitlines() if line.startswith("export GEMINI_API_KEY=")
        )
        answer = httpx.post(
            f"{url}/v1beta/models/gemini-2.5-flash:generateContent", headers={"x-goog-api-key": key}, json={}
        )
        assert (
            answer.status_code == 403 and answer.json()["error"]["details"][0]["reason"] == "SERVICE_DISABLED"
        )
        sa_file = next(tmp_path.glob("sa-*.json"))
        assert json.loads(sa_file.read_text())["token_uri"] == f"{url}/token"
        assert oct(sa_file.stat().st_mode & 0o777) == "0o600"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_list_scenarios():
    done = subprocess.run(
        [sys.executable, "-m", "gemini_doctor", "emulate", "--list-scenarios"], capture_output=True, text=True
    )
    assert done.stdout.split() == scenario_names()


def test_bad_world_and_unknown_scenario_exit_2(tmp_path):
    bad = tmp_path / "w.yaml"
    bad.write_text("projects:\n  - id: p\n    number: nope\n")
    for args in (["--world", str(bad)], ["--scenario", "no_such_cause"]):
        done = subprocess.run(
            [sys.executable, "-m", "gemini_doctor", "emulate", *args],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 2 and "Traceback" not in done.stderr
    assert (
        "projects[0].number"
        in subprocess.run(
            [sys.executable, "-m", "gemini_doctor", "emulate", "--world", str(bad)],
            capture_output=True,
            text=True,
        ).stderr
    )
