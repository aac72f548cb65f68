"""Shared fixtures: error texts (the project's own cases, plus ../shared's corpus when present) and a CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gemini_doctor.emulator.testing import gemini_emulator  # noqa: F401 - a fixture, for every test module by name

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GEMINI_DOCTOR_SHARED") or REPO.parent / "shared")   # the workspace's material, if any
CORPUS = SHARED / "corpus" / "real-errors.jsonl"
CAUSES_MD = REPO / "docs" / "causes.md"          # the cause IDs, shipped with the project
DEV_CASES = REPO / "tests" / "data" / "cases" / "dev.jsonl"


WHOLE_SUITE_WORKERS = 2   # the build machine's cores


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """The whole suite (no paths given) runs on both cores when pytest-xdist, a test extra, is
    installed and no -n was given; a chosen file or test runs in one process, as usual."""
    if (config.pluginmanager.hasplugin("xdist") and config.option.numprocesses is None
            and config.args_source != pytest.Config.ArgsSource.ARGS and not os.environ.get("PYTEST_XDIST_WORKER")):
        config.option.numprocesses = WHOLE_SUITE_WORKERS


def _jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_corpus() -> list[dict]:
    return _jsonl(CORPUS)


@pytest.fixture
def error_cases() -> list[dict]:
    """Many real error texts, for checks that hold for any text: the project's own dev cases (always there),
    and the shared corpus too when the checkout has it."""
    return _jsonl(DEV_CASES) + load_corpus()


@pytest.fixture
def shared_corpus() -> list[dict]:
    cases = load_corpus()
    if not cases:
        pytest.skip(f"shared corpus not found at {CORPUS} (checkout outside the project workspace)")
    return cases


def run_cli(*args: str, input: bytes | str | None = None, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the installed CLI as a user would, in a fresh interpreter."""
    if isinstance(input, str):
        input = input.encode()
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "gemini_doctor", *args], input=input, capture_output=True,
        env=full_env, timeout=timeout,
    )
