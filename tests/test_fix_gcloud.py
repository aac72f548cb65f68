"""Acceptance: every `gcloud` line `fix` prints runs as pasted, by the real gcloud as the project's owner, and
`check` is healthy afterwards."""

import json
import shutil
import subprocess

import pytest

from check_helpers import check, user_env
from conftest import invoke_cli
from emulator_clients import call, gcloud_env
from gemini_doctor.emulator.scenarios import DEV, OWNER

# The APIs fixes call, by the name gcloud gives them in CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>.
GCLOUD_APIS = ("SERVICEUSAGE", "CLOUDRESOURCEMANAGER", "APIKEYS", "CLOUDBILLING")

pytestmark = pytest.mark.skipif(shutil.which("gcloud") is None, reason="gcloud is not installed (on PATH)")


@pytest.mark.parametrize("scenario", ["service_disabled", "iam_permission_missing", "billing_disabled"])
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


def test_a_key_restricted_to_other_apis_keeps_them(gemini_emulator, tmp_path):
    """`gcloud services api-keys update --api-target` sets the whole list, so the printed script only runs
    the read-only describe; the update, completed as its step says (one --api-target per API listed), runs
    and leaves the key's other API in place, and check is healthy after."""
    emu = gemini_emulator("api_key_api_restricted")
    printed = invoke_cli("fix", "--endpoint", emu.url, env=user_env(emu, tmp_path)).stdout.decode()
    (live,) = [line for line in printed.splitlines() if line.startswith("gcloud")]
    assert " describe " in live
    env = gcloud_env(emu, tmp_path, OWNER, *GCLOUD_APIS)
    listed = subprocess.run(["bash", "-c", live], env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr[-1500:]
    kept = listed.stdout.strip().split(";")  # gcloud's value() joins a list with ';'
    assert kept == ["cloudaicompanion.googleapis.com"]
    update = next(line for line in printed.splitlines() if "gcloud services api-keys update" in line)
    update = update.removeprefix("#   ") + "".join(f" --api-target=service={service}" for service in kept)
    done = subprocess.run(["bash", "-c", update], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (update, done.stderr[-1500:])
    assert check(emu, tmp_path).healthy
    targets = subprocess.run(["bash", "-c", live], env=env, capture_output=True, text=True, timeout=120)
    assert sorted(targets.stdout.strip().split(";")) == [
        "cloudaicompanion.googleapis.com",
        "generativelanguage.googleapis.com",
    ]


def test_the_printed_deny_policy_line_runs_and_shows_the_rule(gemini_emulator, tmp_path):
    """`gcloud iam policies get …` (IAM v2) as check prints it for a deny policy: the owner reads the rule;
    an account without roles/iam.denyReviewer gets Google's 403; list shows the policy without its rules."""
    emu = gemini_emulator("iam_deny_policy")
    with pytest.raises(Exception, match=r"aiplatform\.endpoints\.predict"):
        call(emu)
    printed = invoke_cli("fix", "--endpoint", emu.url, env=user_env(emu, tmp_path)).stdout.decode()
    line = next(line for line in printed.splitlines() if line.startswith("gcloud iam policies get"))
    owner = gcloud_env(emu, tmp_path, OWNER, "IAM")
    done = subprocess.run(
        ["bash", "-c", line + " --format=json"], env=owner, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (line, done.stderr[-1500:])
    policy = json.loads(done.stdout)
    assert policy["kind"] == "DenyPolicy" and policy["name"].endswith("/denypolicies/no-genai-for-workloads")
    assert policy["rules"][0]["denyRule"]["deniedPermissions"] == [
        "aiplatform.googleapis.com/endpoints.predict"
    ]
    listed = subprocess.run(
        ["bash", "-c", line.replace(" get no-genai-for-workloads", " list") + " --format=json"],
        env=owner,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr[-1500:]
    listed = json.loads(listed.stdout)["policies"]
    assert [p["displayName"] for p in listed] == ["No generative AI for workloads"] and "rules" not in listed[
        0
    ]
    stranger = gcloud_env(emu, tmp_path, DEV, "IAM")
    refused = subprocess.run(["bash", "-c", line], env=stranger, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "iam.denypolicies.get" in refused.stderr, refused.stderr[-1500:]
