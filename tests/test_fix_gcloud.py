"""Acceptance: every `gcloud` line `fix` prints runs as pasted, by the real gcloud as the project's owner, and
`check` is healthy afterwards."""

import os
import shutil
import subprocess

import pytest
from google.auth.transport.requests import Request
from google.oauth2 import credentials as user_credentials

from check_helpers import check, user_env
from conftest import invoke_cli
from gemini_doctor.emulator.scenarios import OWNER

# The APIs fixes call, by the name gcloud gives them in CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>.
GCLOUD_APIS = ("SERVICEUSAGE", "CLOUDRESOURCEMANAGER", "APIKEYS", "CLOUDBILLING")

pytestmark = pytest.mark.skipif(shutil.which("gcloud") is None, reason="gcloud is not installed (on PATH)")


def gcloud_env(emu, home) -> dict[str, str]:
    """gcloud pointed at the emulator, signed in as the owner with a token the emulator issued."""
    owner = user_credentials.Credentials.from_authorized_user_file(
        str(emu.credentials[OWNER])
    ).with_token_uri(f"{emu.url}/token")
    owner.refresh(Request())
    token_file = home / "owner-token"
    token_file.write_text(owner.token)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "CLOUDSDK_CONFIG": str(home / "gcloud-owner"),
        "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
        "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": str(token_file),
        "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "1",
        "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "1",
    }
    env.update({f"CLOUDSDK_API_ENDPOINT_OVERRIDES_{api}": f"{emu.url}/" for api in GCLOUD_APIS})
    return env


@pytest.mark.parametrize(
    "scenario", ["service_disabled", "iam_permission_missing", "api_key_api_restricted", "billing_disabled"]
)
def test_every_printed_gcloud_line_runs_and_check_is_healthy_after(gemini_emulator, tmp_path, scenario):
    emu = gemini_emulator(scenario)
    printed = invoke_cli("fix", "--endpoint", emu.url, env=user_env(emu, tmp_path)).stdout.decode()
    lines = [line for line in printed.splitlines() if line.startswith("gcloud")]
    assert lines, printed
    env = gcloud_env(emu, tmp_path)
    for line in lines:
        done = subprocess.run(["bash", "-c", line], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (line, done.stderr[-1500:])
    assert check(emu, tmp_path).healthy
