"""Every command in every format, as a user runs it: text for people, one JSON line for machines, markdown for
a ticket, each through the one renderer (fix --apply included)."""

from __future__ import annotations

import json

import pytest

from check_helpers import user_env
from conftest import invoke_cli
from gemini_doctor.emulator.scenarios import DEV, scenario_world
from gemini_doctor.render import FORMATS

ERROR = (
    "403 PERMISSION_DENIED: Generative Language API has not been used in project 123456789012 before or it "
    "is disabled."
)


def _assert_format(fmt: str, out: str) -> None:
    if fmt == "json":
        assert out.count("\n") == 1 and isinstance(json.loads(out), dict), out
    elif fmt == "markdown":
        assert out.startswith("## gemini-doctor ") and out.endswith("\n"), out
    else:
        assert out.strip() and not out.startswith("## ") and not out.startswith("{"), out


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_command_in_every_format(gemini_emulator, tmp_path, fmt):
    world = scenario_world("service_disabled")
    world["projects"][0]["iam"].append(
        {"role": "roles/serviceusage.serviceUsageAdmin", "members": [f"user:{DEV}"]}
    )
    emu = gemini_emulator(world)
    env = user_env(emu, tmp_path)
    log = tmp_path / "app.log"
    log.write_text(f"2026-11-30T10:00:00Z ERROR {ERROR}\n")
    live = ("--endpoint", emu.url, "--format", fmt)
    admin = ("--admin-credentials", str(emu.credentials[DEV]))
    # command -> (its arguments, its input, the exit code expected); fix --apply last: it mends the world
    runs = {
        "explain": (("explain", "--format", fmt), ERROR, 0),
        "scan": (("scan", str(log), "--format", fmt), None, 1),
        "demo": (("demo", "service_disabled", "--format", fmt), None, 0),
        "check": (("check", *live), None, 1),
        "fix": (("fix", *live), None, 1),
        "fix --apply": (("fix", "--apply", "--yes", "--wait", "5", *admin, *live), None, 0),
    }
    for command, (args, stdin, code) in runs.items():
        done = invoke_cli(*args, input=stdin, env=env)
        out = done.stdout.decode()
        assert done.returncode == code, (command, done.stderr.decode()[-2000:])
        _assert_format(fmt, out)
    assert emu.stats()["mutations"] == 1
    if fmt == "markdown":  # what was done is in the ticket; how it went was said beside it, on stderr
        assert "### Applied" in out and "**Fixed:" in out and "Applied:" in done.stderr.decode()
