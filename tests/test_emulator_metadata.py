"""The machine's metadata server (GCE, Cloud Run): google-auth gets its tokens there, and `check`
names the GCE access-scope trap from them."""

import copy
import json
import subprocess
import sys

import httpx
import pytest

from conftest import invoke_cli
from gemini_doctor.emulator.backends import load_world
from gemini_doctor.emulator.clients import shell_env
from gemini_doctor.emulator.scenarios import APP_SA, CLOUD_PLATFORM, HEALTHY
from gemini_doctor.emulator.world import WorldError

NARROW = [
    "https://www.googleapis.com/auth/devstorage.read_only",
    "https://www.googleapis.com/auth/logging.write",
]


def _machine(platform="gce", scopes=NARROW):
    world = copy.deepcopy(HEALTHY)
    world["metadata"] = {
        "platform": platform,
        "service_account": APP_SA,
        "project": "acme-prod",
        "scopes": scopes,
    }
    world["client"].update(surface="vertex", api_key=None, principal="metadata", location="us-central1")
    return world


GOOGLE_AUTH_SCRIPT = """
import json, google.auth
from google.auth.transport.requests import Request
credentials, project = google.auth.default(scopes={scopes!r})
credentials.refresh(Request())
email = credentials.service_account_email
print(json.dumps({{"project": project, "email": email, "token": credentials.token[:14]}}))
"""


@pytest.mark.parametrize(
    "platform, asked, granted",
    [
        ("gce", [CLOUD_PLATFORM], NARROW),  # GCE ignores requested scopes: the instance's bound the token
        ("cloud-run", [CLOUD_PLATFORM], [CLOUD_PLATFORM]),  # Cloud Run grants what is asked
    ],
)
def test_google_auth_finds_the_machine_and_gets_its_token(
    gemini_emulator, tmp_path, platform, asked, granted
):
    emu = gemini_emulator(_machine(platform))
    env = shell_env(emu.credentials["env"], tmp_path)
    assert "GOOGLE_APPLICATION_CREDENTIALS" not in env and env["GCE_METADATA_HOST"] == emu.url.split("://")[1]
    done = subprocess.run(
        [sys.executable, "-c", GOOGLE_AUTH_SCRIPT.format(scopes=asked)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found == {"project": "acme-prod", "email": APP_SA, "token": "ya29.emulated-"}
    reply = httpx.get(
        f"{emu.url}/computeMetadata/v1/instance/service-accounts/default/token",
        params={"scopes": ",".join(asked)},
        headers={"Metadata-Flavor": "Google"},
    )
    assert reply.headers["metadata-flavor"] == "Google"
    info = httpx.get(f"{emu.url}/tokeninfo", params={"access_token": reply.json()["access_token"]}).json()
    assert info["scope"].split() == sorted(granted) and info["email"] == APP_SA


def test_answers_as_the_metadata_server_does(gemini_emulator):
    emu = gemini_emulator(_machine())
    base = f"{emu.url}/computeMetadata/v1"
    assert httpx.get(f"{base}/project/project-id").status_code == 403  # the header is required
    flavor = {"Metadata-Flavor": "Google"}
    assert httpx.get(f"{base}/project/numeric-project-id", headers=flavor).text == "123456789012"
    info = httpx.get(
        f"{base}/instance/service-accounts/default/", params={"recursive": "true"}, headers=flavor
    ).json()
    assert info == {"aliases": ["default"], "email": APP_SA, "scopes": NARROW}
    assert (
        httpx.get(
            f"{base}/instance/service-accounts/other@x.iam.gserviceaccount.com/email", headers=flavor
        ).status_code
        == 404
    )
    assert emu.stats()["requests"] == 0  # not Google's front end
    plain = gemini_emulator("healthy")  # no metadata section: not a Google machine
    assert httpx.get(f"{plain.url}/", headers=flavor).status_code == 404


def test_a_bad_metadata_section_is_named():
    with pytest.raises(WorldError, match=r"metadata\.platform"):
        load_world({**_machine(), "metadata": {"platform": "gke", "service_account": APP_SA}})
    with pytest.raises(WorldError, match=r"metadata\.service_account: is required"):
        load_world({**_machine(), "metadata": {"platform": "gce"}})


def test_check_names_the_vm_access_scopes(gemini_emulator, tmp_path):
    emu = gemini_emulator(_machine())
    env = shell_env(emu.credentials["env"], tmp_path)
    done = invoke_cli("check", "--format", "json", "--endpoint", emu.url, env=env, timeout=120)
    result = json.loads(done.stdout)
    assert done.returncode == 1, done.stderr
    assert [cause["id"] for cause in result["causes"]] == [
        "scope_insufficient"
    ]  # admin probes refused for scope say nothing else
    assert any(
        "compute instances set-service-account" in (step.get("command") or "")
        for step in result["causes"][0]["fix"]
    )
    assert "metadata server" in json.dumps(result)
