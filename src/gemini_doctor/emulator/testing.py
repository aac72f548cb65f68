"""A pytest fixture for testing apps against Google's errors.

    from gemini_doctor.emulator.testing import gemini_emulator   # re-export in your conftest.py

    def test_my_app_handles_disabled_api(gemini_emulator):
        emu = gemini_emulator("service_disabled")       # a scenario name, a world mapping or a YAML path
        client = genai.Client(api_key=emu.api_key, http_options={"base_url": emu.url})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .scenarios import MODEL, scenario_names, scenario_world
from .server import BackgroundServer
from .world import load_world


@dataclass
class RunningEmulator:
    url: str
    server: BackgroundServer
    client: dict = field(default_factory=dict)          # the scenario's client section (what the app uses)
    credentials: dict[str, Path] = field(default_factory=dict)   # principal -> key/ADC file; "env" -> env.sh

    @property
    def api_key(self) -> str | None:
        return self.client.get("api_key")

    @property
    def model(self) -> str:
        return self.client.get("model", MODEL)

    def stats(self) -> dict:
        import httpx

        return httpx.get(f"{self.url}/_emulator/stats").json()


@pytest.fixture
def gemini_emulator(tmp_path_factory):
    """A factory: start a world, get its URL, client settings and credential files; stopped after the test."""
    running: list[BackgroundServer] = []

    def start(world: str | dict | Path = "healthy") -> RunningEmulator:
        data = scenario_world(world) if isinstance(world, str) and world in scenario_names() else world
        server = BackgroundServer(load_world(data)).start()
        running.append(server)
        credentials = server.write_credentials(tmp_path_factory.mktemp("credentials"))
        return RunningEmulator(server.url, server, dict(server.world.client), credentials)

    yield start
    for server in running:
        server.stop()
