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


# A long-lived process: google-auth imported (its metadata module too) before the environment to diagnose
# existed, with every address but loopback refused and recorded.
LONG_LIVED = """
import json, sys
refused = []

def loopback_only(event, args):
    host = args[0] if event == "socket.getaddrinfo" else args[1][0] if event == "socket.connect" else None
    if isinstance(host, bytes):
        host = host.decode()
    if isinstance(host, str) and host not in ("127.0.0.1", "localhost"):
        refused.append(host)
        raise OSError(f"not loopback: {host}")

sys.addaudithook(loopback_only)
import google.auth.compute_engine  # reads NO_GCE_CHECK and GCE_METADATA_HOST now, from an env without them
from gemini_doctor.check import discover, run_check
env, endpoint = json.loads(sys.argv[1]), sys.argv[2]
setup = discover(env, endpoint=endpoint)
result = run_check(setup, endpoint, timeout=10)
print(json.dumps({"refused": refused, "kind": setup.credential_kind, "source": setup.credential_source,
                  "healthy": result.healthy, "summary": result.to_dict()["summary"],
                  "traps": [trap.id for trap in setup.traps]}))
"""


def _long_lived(emu, tmp_path, env: dict, imported_with: dict | None = None) -> dict:
    """LONG_LIVED diagnosing *env*, its google-auth imported under *imported_with* (else an empty env)."""
    done = subprocess.run(
        [sys.executable, "-c", LONG_LIVED, json.dumps(env), emu.url],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **(imported_with or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_process_that_imported_google_auth_first_checks_no_real_metadata_server(gemini_emulator, tmp_path):
    """--endpoint without an emulated machine: google-auth's metadata ping is answered locally (no wait,
    nothing sent to 169.254.169.254), though this process's google-auth never saw NO_GCE_CHECK."""
    emu = gemini_emulator("healthy")
    env = shell_env(emu.credentials["env"], tmp_path)
    for name in ("NO_GCE_CHECK", "GOOGLE_APPLICATION_CREDENTIALS"):
        env.pop(name, None)
    out = _long_lived(emu, tmp_path, env)
    assert out["healthy"], out
    assert out == {**out, "refused": [], "kind": None, "source": None}


def test_a_process_that_imported_google_auth_first_reaches_the_emulated_machine(gemini_emulator, tmp_path):
    """google-auth imported before GCE_METADATA_HOST was set still asks the emulated metadata server
    (env.sh's), for discovery and for the token, never metadata.google.internal."""
    world = _machine("cloud-run", [CLOUD_PLATFORM])
    world["client"]["location"] = "global"
    emu = gemini_emulator(world)
    out = _long_lived(emu, tmp_path, shell_env(emu.credentials["env"], tmp_path))
    assert out["healthy"], out
    assert out == {**out, "refused": [], "kind": "compute_engine", "source": "metadata server"}


def test_a_process_that_imported_google_auth_with_no_gce_check_still_finds_the_emulated_machine(
    gemini_emulator, tmp_path
):
    """google-auth imported with NO_GCE_CHECK=true never looks for a metadata server by itself; check asks the
    one the diagnosed environment names (a new process would find it), and says that code running in this
    process does not."""
    world = _machine("cloud-run", [CLOUD_PLATFORM])
    world["client"]["location"] = "global"
    emu = gemini_emulator(world)
    env = shell_env(emu.credentials["env"], tmp_path)
    out = _long_lived(emu, tmp_path, env, imported_with={"NO_GCE_CHECK": "true"})
    assert out["healthy"], out
    assert out == {
        **out,
        "refused": [],
        "kind": "compute_engine",
        "source": "metadata server",
        "traps": ["metadata_check_off_in_process"],
    }
    off = _long_lived(emu, tmp_path, {**env, "NO_GCE_CHECK": "true"}, imported_with={"NO_GCE_CHECK": "true"})
    assert off == {**off, "refused": [], "kind": None, "traps": []}  # the diagnosed env turns it off too


IMPORTED_DURING_DISCOVERY = """
import json, sys
from gemini_doctor.check import discover
assert "google.auth.compute_engine" not in sys.modules
discover(json.loads(sys.argv[1]), "vertex")
from google.auth.compute_engine import _metadata
print(json.dumps({"host": _metadata._GCE_METADATA_HOST, "no_check": _metadata._NO_GCE_CHECK}))
"""


def test_discovery_leaves_this_processs_google_auth_as_its_own_environment_made_it(tmp_path):
    """google-auth's metadata module, first imported while discovery diagnosed another environment, reads
    this process's environment again afterwards: code here does not keep the diagnosed metadata host."""
    diagnosed = {"HOME": str(tmp_path), "NO_GCE_CHECK": "true", "GCE_METADATA_HOST": "127.0.0.1:9"}
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED_DURING_DISCOVERY, json.dumps(diagnosed)],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GCE_METADATA_HOST": "127.0.0.1:8"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout) == {"host": "127.0.0.1:8", "no_check": False}
