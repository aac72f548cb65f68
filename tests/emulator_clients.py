"""Test helpers: the package's own app-like client, bound to a running emulator fixture."""

from gemini_doctor.emulator import clients
from gemini_doctor.emulator.scenarios import APP_SA, scenario_world


def google_credentials(emu):
    return clients.google_credentials(emu.client, emu.credentials, emu.url)


def call(emu):
    return clients.call(emu.client, emu.credentials, emu.url)


def on_vertex(scenario: str) -> dict:
    """The built-in *scenario*'s world with its app on Vertex AI, calling as the app's service account (key file)."""
    world = scenario_world(scenario)
    world["client"].update(surface="vertex", api_key=None, principal=APP_SA)
    return world
