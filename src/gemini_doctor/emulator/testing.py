"""A pytest fixture for testing apps against Google's errors.

    from gemini_doctor.emulator.testing import gemini_emulator   # re-export in your conftest.py

    def test_my_app_handles_disabled_api(gemini_emulator):
        emu = gemini_emulator("service_disabled")       # or a world mapping / YAML path
        client = genai.Client(api_key=emu.api_key, http_options={"base_url": emu.url})
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from .scenarios import scenario_names, scenario_world
from .server import BackgroundServer
from .world import load_world


@dataclass
class RunningEmulator:
    url: str
    api_key: str | None
    model: str
    server: BackgroundServer


@pytest.fixture
def gemini_emulator():
    """A factory: call it with a scenario name, a world mapping or a world file; stopped after the test."""
    running: list[BackgroundServer] = []

    def start(world: str | dict | Path = "healthy") -> RunningEmulator:
        data = scenario_world(world) if isinstance(world, str) and world in scenario_names() else world
        client = data.get("client", {}) if isinstance(data, dict) else {}
        server = BackgroundServer(load_world(data)).__enter__()
        running.append(server)
        return RunningEmulator(server.url, client.get("api_key"), client.get("model", "gemini-2.5-flash"), server)

    yield start
    for server in running:
        server.__exit__(None, None, None)
