"""The CLI's help paths import only what they show: no click, renderer, engine, network or emulator code.
Their pages are click's own, stored (tests/stored_help.py); click lays them out when the terminal is narrower.
(Start-up time itself is measured in benchmarks, never asserted here.)"""

import os
import subprocess
import sys

import pytest

import stored_help
from gemini_doctor.cli.help_pages import PAGES

PROBE = """
import sys
sys.argv = ["gemini-doctor", *sys.argv[1:]]
from gemini_doctor.cli.main import main
try:
    main()
except SystemExit:
    pass
heavy = ("click", "asyncio", "rich", "httpx", "google.auth", "starlette", "yaml",
         "gemini_doctor.redact", "gemini_doctor.jsontext", "gemini_doctor.engine", "gemini_doctor.evidence",
         "gemini_doctor.probes", "gemini_doctor.emulator")
print("imported:", *sorted(name for name in heavy if name in sys.modules))
"""
HELP_PATHS = [["--help"], ["-h"], *([name, "--help"] for name in sorted(PAGES) if name)]


def _probe(args: list[str], **env: str) -> subprocess.CompletedProcess:
    environ = {name: value for name, value in os.environ.items() if name not in ("COLUMNS", "LINES")}
    return subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**environ, "PYTHONIOENCODING": "utf-8", **env},
    )


@pytest.mark.parametrize("args", HELP_PATHS, ids=" ".join)
def test_help_imports_nothing_heavy(args):
    done = _probe(args)
    page = done.stdout.rpartition("imported:")[0]
    assert page == PAGES["" if len(args) == 1 else args[0]]
    assert done.stdout.splitlines()[-1] == "imported:"


def test_stored_pages_are_what_click_prints():
    assert stored_help.click_pages() == PAGES, f"the help pages are stale: run `{stored_help.UPDATE_COMMAND}`"


def test_a_narrow_terminal_gets_clicks_own_layout():
    narrow = stored_help.click_pages(60)
    for args in (["--help"], ["check", "--help"]):
        done = _probe(args, COLUMNS="60")
        assert done.stdout.rpartition("imported:")[0] == narrow["" if len(args) == 1 else args[0]]
        assert "click" in done.stdout.splitlines()[-1]
