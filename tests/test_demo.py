"""`gemini-doctor demo`: a self-test that needs nothing, prints as it goes, and leaves nothing behind."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from conftest import invoke_cli
from gemini_doctor.demo import TOUR, run_scenario


def test_prints_progress_as_it_goes_plain_when_piped():
    proc = subprocess.Popen(
        [sys.executable, "-m", "gemini_doctor", "demo", "service_disabled", "google_incident"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first_block = [proc.stdout.readline().decode() for _ in range(4)]
    still_running = proc.poll() is None
    rest, err = proc.communicate(timeout=120)
    out = "".join(first_block) + rest.decode()
    assert proc.returncode == 0, err
    assert still_running, "the first scenario should print before the tour ends"
    assert (
        "\x1b[" not in out and "2/2 verdicts matched" in out and "gemini-doctor check" in out.splitlines()[-1]
    )


def test_list_and_unknown_scenario():
    listed = invoke_cli("demo", "--list").stdout.decode()
    assert all(name in listed for name in TOUR)
    bad = invoke_cli("demo", "no_such_scenario")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr.decode()


def test_without_google_genai_the_call_is_plain_http(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.genai", None)  # as if google-genai were not installed
    with tempfile.TemporaryDirectory() as tmp:
        report = run_scenario("service_disabled", Path(tmp))
    assert report["matched"] and report["raw_error"].startswith("HTTP 403")


def test_the_tour_matches_sealed_from_the_users_google_environment_and_leaves_no_port_open(tmp_path):
    junk = {
        "GOOGLE_GENAI_USE_VERTEXAI": "true",
        "GEMINI_API_KEY": "junk",
        "GOOGLE_API_KEY": "junk-too",
        "GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "junk.json"),
        "GOOGLE_CLOUD_PROJECT": "someone-else",
        "GOOGLE_CLOUD_LOCATION": "mars-east1",
    }
    (tmp_path / "junk.json").write_text("not a credential")
    done = invoke_cli("demo", "--format", "json", env=junk)
    assert done.returncode == 0, done.stdout.decode()[-2000:] + done.stderr.decode()
    report = json.loads(done.stdout)
    assert report["matched"] and [s["scenario"] for s in report["scenarios"]] == TOUR
    for scenario in report["scenarios"]:
        assert scenario["raw_error"] and scenario["check"]["top"] == scenario["scenario"]
        with pytest.raises(httpx.TransportError):
            httpx.get(scenario["url"] + "/_emulator/stats", timeout=2)
