"""A pytest plugin: the ``gemini_emulator`` fixture, for testing apps against Google's errors.

Installing gemini-doctor registers it (entry point ``pytest11``): no import or conftest.py needed.

    def test_my_app_handles_disabled_api(gemini_emulator, monkeypatch):
        emu = gemini_emulator("service_disabled")   # a scenario name, a world mapping or a YAML/JSON path
        client = emu.genai_client()                 # a ready google-genai client, or:
        for name, value in emu.environ.items():     # the settings env.sh exports, for an app that reads them
            monkeypatch.setenv(name, value)

Without pytest, use :func:`.harness.running_emulator` (a context manager).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import RunningEmulator, UnknownScenario, start

__all__ = ["RunningEmulator", "UnknownScenario", "gemini_emulator"]


@pytest.fixture
def gemini_emulator(tmp_path_factory):
    """A factory: start a world, get its URL, client settings and credential files; stopped after the test."""
    running: list[RunningEmulator] = []

    def start_world(world: str | dict | Path = "healthy") -> RunningEmulator:
        emu = start(world, tmp_path_factory.mktemp("credentials"))
        running.append(emu)
        return emu

    yield start_world
    for emu in running:
        emu.server.stop()
