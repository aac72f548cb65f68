"""Acceptance: every `gcloud` line `fix` prints runs as pasted, by the real gcloud as the project's owner, and
`check` is healthy afterwards."""

import shutil
import subprocess

import pytest

from check_helpers import check, user_env
from conftest import invoke_cli
from emulator_clients import gcloud_env
from gemini_doctor.emulator.scenarios import OWNER

# The APIs fixes call, by the name gcloud gives them in CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>.
GCLOUD_APIS = ("SERVICEUSAGE", "CLOUDRESOURCEMANAGER", "APIKEYS", "CLOUDBILLING")

pytestmark = pytest.mark.skipif(shutil.which("gcloud") is None, reason="gcloud is not installed (on PATH)")


@pytest.mark.parametrize(
    "scenario", ["service_disabled", "iam_permission_missing", "api_key_api_restricted", "billing_disabled"]
)
def test_every_printed_gcloud_line_runs_and_check_is_healthy_after(gemini_emulator, tmp_path, scenario):
    emu = gemini_emulator(scenario)
    printed = invoke_cli("fix", "--endpoint", emu.url, env=user_env(emu, tmp_path)).stdout.decode()
    lines = [line for line in printed.splitlines() if line.startswith("gcloud")]
    assert lines, printed
    env = gcloud_env(emu, tmp_path, OWNER, *GCLOUD_APIS)
    for line in lines:
        done = subprocess.run(["bash", "-c", line], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (line, done.stderr[-1500:])
    assert check(emu, tmp_path).healthy
