"""Test helpers: the package's own app-like client, bound to a running emulator fixture, gcloud pointed at it,
and a shell in a folder holding its credentials."""

import os
import subprocess
import sys
from pathlib import Path

import gcloud_forkserver
from gemini_doctor.emulator import clients
from gemini_doctor.emulator.scenarios import APP_SA, scenario_world
from gemini_doctor.google.access import CLOUD_PLATFORM


def in_shell(emu, tmp_path, command: str) -> subprocess.CompletedProcess:
    """*command* in bash from a folder where ./emu is the scenario's credentials, as the README's console
    shows."""
    (tmp_path / "emu").symlink_to(emu.credentials["env"].parent)
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "NO_GCE_CHECK": "true",
        "CLOUDSDK_CONFIG": str(tmp_path / "gcloud"),
    }
    return subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180
    )


def google_credentials(emu):
    return clients.google_credentials(emu.client, emu.credentials, emu.url)


def call(emu):
    return clients.call(emu.client, emu.credentials, emu.url)


def on_vertex(scenario: str, principal: str = APP_SA) -> dict:
    """The built-in *scenario*'s world with its app on Vertex AI, calling as *principal* (the file env.sh
    names: the app's service-account key file, or a user's ADC file)."""
    world = scenario_world(scenario)
    world["client"].update(surface="vertex", api_key=None, principal=principal)
    return world


def tokens_issued_to(emu, principal: str) -> list[str]:
    """The access tokens the emulator issued to *principal* (the token endpoint's, and user ADC files'
    own)."""
    return [token for token, info in emu.server.oauth.tokens.items() if info.principal == principal]


def gcloud_env(emu, home, principal: str, *apis: str) -> dict[str, str]:
    """The real gcloud pointed at the emulator for `apis` (names as in CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>),
    signed in as `principal` with a token the emulator issued, its config kept under `home`; started through
    the fork server (tests/gcloud_forkserver.py) where there is one."""
    token_file = home / "gcloud-token"
    token_file.write_text(emu.server.oauth.issue(principal, {CLOUD_PLATFORM}))
    fork_server = gcloud_forkserver.shim_folder()
    env = {  # sealed: only what gcloud needs, so nothing of the user's own gcloud setup leaks in
        "PATH": f"{fork_server}:{os.environ['PATH']}" if fork_server else os.environ["PATH"],
        "HOME": str(home),
        "CLOUDSDK_CONFIG": str(home / "gcloud"),
        "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
        "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": str(token_file),
        "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "1",
        "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "1",
        "CLOUDSDK_CORE_CHECK_GCE_METADATA": "false",  # else it asks DNS for metadata.google.internal
    }
    env.update({f"CLOUDSDK_API_ENDPOINT_OVERRIDES_{api}": f"{emu.url}/" for api in apis})
    return env
