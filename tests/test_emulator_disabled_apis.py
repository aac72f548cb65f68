"""A world's `disabled_apis`: every emulated admin API answers Google's SERVICE_DISABLED body to a call
billed to the project that turned it off, until `services enable` turns it back on; gcloud reads the body as
Google's, and `check` says which API to enable instead of blaming the setup."""

import shutil
import subprocess

import pytest

from check_helpers import check
from emulator_clients import gcloud_env, on_vertex
from gemini_doctor.emulator.scenarios import OWNER, scenario_world

DISABLED = ["apikeys.googleapis.com", "cloudresourcemanager.googleapis.com"]


def _world(base: dict) -> dict:
    base["projects"][0]["disabled_apis"] = list(DISABLED)
    return base


@pytest.mark.skipif(shutil.which("gcloud") is None, reason="gcloud is not installed (on PATH)")
def test_gcloud_reads_service_disabled_and_enabling_the_api_lifts_it(gemini_emulator, tmp_path):
    emu = gemini_emulator(_world(scenario_world("healthy")))
    owner = gcloud_env(emu, tmp_path, OWNER, "APIKEYS", "SERVICEUSAGE")

    def keys(*flags: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["gcloud", "services", "api-keys", "list", "--project=acme-prod", "--format=value(name)", *flags],
            env=owner,
            capture_output=True,
            text=True,
            timeout=120,
        )

    refused = keys("--billing-project=acme-prod")  # billed to acme-prod, where the API is off
    assert refused.returncode == 1
    assert "PERMISSION_DENIED: API Keys API has not been used in project 123456789012 before or it is " in (
        refused.stderr
    )
    assert "reason: SERVICE_DISABLED" in refused.stderr and "serviceTitle: API Keys API" in refused.stderr
    assert keys().stdout.strip().endswith("/keys/k1")  # billed to gcloud's own project: answered
    enabled = subprocess.run(
        ["gcloud", "services", "enable", "apikeys.googleapis.com", "--project=acme-prod"],
        env=owner,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert enabled.returncode == 0, enabled.stderr[-1500:]
    assert keys("--billing-project=acme-prod").stdout.strip().endswith("/keys/k1")


def test_check_names_the_api_to_enable_when_an_admin_api_is_off(gemini_emulator, tmp_path):
    """The app's service account bills its own project, where Resource Manager is off: the project and
    permission probes could not check and say which API to enable (never "the project does not exist"); the
    call itself is healthy."""
    emu = gemini_emulator(_world(on_vertex("healthy")))
    result = check(emu, tmp_path)
    assert result.healthy, result.to_dict()["summary"]
    checks = {c["id"]: c for c in result.to_dict()["checks"]}
    for probe in ("project", "iam"):
        assert checks[probe]["status"] == "could_not_check"
        assert checks[probe]["summary"] == (
            "could not check (API not enabled): gcloud services enable cloudresourcemanager.googleapis.com "
            "--project=123456789012"
        )
