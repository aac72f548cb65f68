"""Test helpers: the package's own app-like client, bound to a running emulator fixture."""

from gemini_doctor.emulator import clients
from gemini_doctor.emulator.scenarios import APP_SA, scenario_world


def google_credentials(emu):
    return clients.google_credentials(emu.client, emu.credentials, emu.url)


def call(emu):
    return clients.call(emu.client, emu.credentials, emu.url)


def on_vertex(scenario: str, principal: str = APP_SA) -> dict:
    """The built-in *scenario*'s world with its app on Vertex AI, calling as *principal* (the file env.sh names:
    the app's service-account key file, or a user's ADC file)."""
    world = scenario_world(scenario)
    world["client"].update(surface="vertex", api_key=None, principal=principal)
    return world


def tokens_issued_to(emu, principal: str) -> list[str]:
    """The access tokens the emulator issued to *principal* (the token endpoint's, and user ADC files' own)."""
    return [token for token, info in emu.server.oauth.tokens.items() if info.principal == principal]
