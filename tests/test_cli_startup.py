"""The CLI's help paths import only what they show: no renderer, engine, network or emulator code.
(Start-up time itself is measured in benchmarks, never asserted here.)"""

import subprocess
import sys

import pytest

PROBE = """
import sys
sys.argv = ["gemini-doctor", *sys.argv[1:]]
from gemini_doctor.cli.main import main
try:
    main()
except SystemExit:
    pass
heavy = ("asyncio", "rich", "httpx", "google.auth", "starlette", "yaml", "gemini_doctor.redact", "gemini_doctor.jsontext",
         "gemini_doctor.engine", "gemini_doctor.evidence", "gemini_doctor.probes", "gemini_doctor.emulator")
print("imported:", *sorted(name for name in heavy if name in sys.modules))
"""


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["fix", "--help"], ["scan", "--help"], ["demo", "--help"],
                                  ["emulate", "--help"], ["run", "--help"]])
def test_help_imports_nothing_heavy(args):
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60, check=False)
    assert "Usage:" in done.stdout
    assert done.stdout.splitlines()[-1] == "imported:"
