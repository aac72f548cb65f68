"""Test helpers: the package's own app-like client, bound to a running emulator fixture, and gcloud pointed at
it."""

import os

from gemini_doctor.emulator import clients
from gemini_doctor.emulator.scenarios import APP_SA, scenario_world
from gemini_doctor.google.access import CLOUD_PLATFORM


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
    signed in as `principal` with a token the emulator issued, its config kept under `home`."""
    token_file = home / "gcloud-token"
    token_file.write_text(emu.server.oauth.issue(principal, {CLOUD_PLATFORM}))
    env = {  # sealed: only what gcloud needs, so nothing of the user's own gcloud setup leaks in
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "CLOUDSDK_CONFIG": str(home / "gcloud"),
        "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
        "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": str(token_file),
        "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "1",
        "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "1",
    }
    env.update({f"CLOUDSDK_API_ENDPOINT_OVERRIDES_{api}": f"{emu.url}/" for api in apis})
    return env
