"""`fix --apply` against the emulator: healthy after, mutations as planned, idempotent, race-safe, consent."""

import json
import os
import shutil
import stat

import pytest

from check_helpers import check, user_env
from conftest import invoke_cli
from gemini_doctor.emulator.scenarios import DEV, scenario_world

ADMIN_ROLES = ["roles/serviceusage.serviceUsageAdmin", "roles/resourcemanager.projectIamAdmin"]


def _world(scenario: str) -> dict:
    world = scenario_world(scenario)
    world["projects"][0]["iam"] += [{"role": role, "members": [f"user:{DEV}"]} for role in ADMIN_ROLES]
    return world


def _env(emu, home):
    """The app's environment, plus the admin's own gcloud login (dev@example.com) where gcloud keeps it."""
    env = user_env(emu, home)
    (home / "gcloud").mkdir(exist_ok=True)
    shutil.copy(emu.credentials[DEV], home / "gcloud" / "application_default_credentials.json")
    return env


def _fix(emu, env, *args):
    # an app calling the Gemini API with OAuth uses its REST API (google-genai would not start):
    # the user says so
    rest = ("--surface", "gemini-api") if emu.client["surface"] == "gemini-api" and not emu.api_key else ()
    done = invoke_cli(
        "fix", "--apply", "--format", "json", "--endpoint", emu.url, "--wait", "10", *rest, *args, env=env
    )
    return done.returncode, json.loads(done.stdout)


@pytest.mark.parametrize("scenario", ["service_disabled", "iam_permission_missing", "quota_project_missing"])
def test_apply_makes_check_healthy_with_planned_mutations_and_is_idempotent(
    gemini_emulator, tmp_path, scenario
):
    emu = gemini_emulator(_world(scenario))
    env = _env(emu, tmp_path)
    code, report = _fix(emu, env, "--yes")
    assert code == 0, report
    assert report["verified"]["healthy"] and report["applied"]
    assert emu.stats()["mutations"] == sum(step["mutations"] for step in report["plan"])
    assert check(emu, tmp_path).healthy
    before = emu.stats()["mutations"]
    code, again = _fix(emu, env, "--yes")
    assert code == 0 and again["plan"] == [] and emu.stats()["mutations"] == before


def test_quota_project_fix_keeps_a_backup(gemini_emulator, tmp_path):
    emu = gemini_emulator(_world("quota_project_missing"))
    _fix(emu, _env(emu, tmp_path), "--yes")
    adc = emu.credentials[DEV]
    assert json.loads(adc.read_text())["quota_project_id"] == "acme-prod"
    backups = list(adc.parent.glob(adc.name + ".bak-*"))
    assert len(backups) == 1 and "quota_project_id" not in json.loads(backups[0].read_text())


def test_no_changes_without_yes_and_without_a_terminal(gemini_emulator, tmp_path):
    emu = gemini_emulator(_world("service_disabled"))
    code, report = _fix(emu, _env(emu, tmp_path))
    assert code == 1 and report["plan"] and not report["applied"]
    assert "not a terminal" in " ".join(report["notes"])
    assert emu.stats()["mutations"] == 0


def test_concurrent_iam_writer_loses_nothing(gemini_emulator, tmp_path):
    world = _world("iam_permission_missing")
    world["faults"] = [
        {"kind": "concurrent_iam_write", "member": "user:other@example.com", "role": "roles/viewer"}
    ]
    emu = gemini_emulator(world)
    code, report = _fix(emu, _env(emu, tmp_path), "--yes")
    assert code == 0, report
    bindings = emu.server.world.project("acme-prod").iam
    members = {(b["role"], m) for b in bindings for m in b["members"]}
    assert ("roles/viewer", "user:other@example.com") in members
    assert ("roles/aiplatform.user", "serviceAccount:app@acme-prod.iam.gserviceaccount.com") in members
    assert {b["role"] for b in scenario_world("iam_permission_missing")["projects"][0]["iam"]} <= {
        b["role"] for b in bindings
    }


def test_says_which_role_would_when_the_caller_lacks_permission(gemini_emulator, tmp_path):
    emu = gemini_emulator("service_disabled")  # dev is only a viewer here
    code, report = _fix(emu, _env(emu, tmp_path), "--yes")
    assert code == 1 and "roles/serviceusage.serviceUsageAdmin" in " ".join(report["notes"])
    assert emu.stats()["mutations"] == 0


def test_no_secret_in_fix_output(gemini_emulator, tmp_path):
    emu = gemini_emulator(_world("iam_permission_missing"))
    env = _env(emu, tmp_path)
    sa = json.loads(next(p for k, p in emu.credentials.items() if k.startswith("app@")).read_text())
    refresh = json.loads(emu.credentials[DEV].read_text())["refresh_token"]
    for args in (["--format", "json", "--yes"], ["--yes"]):
        done = invoke_cli("fix", "--apply", "--endpoint", emu.url, "--wait", "5", *args, env=env)
        out = done.stdout.decode() + done.stderr.decode()
        assert sa["private_key"].splitlines()[1] not in out and refresh not in out
        assert not any(token in out for token in emu.server.oauth.tokens)


def test_readable_key_file_is_chmodded(gemini_emulator, tmp_path):
    emu = gemini_emulator(_world("iam_permission_missing"))
    sa_file = next(p for k, p in emu.credentials.items() if k.startswith("app@"))
    os.chmod(sa_file, 0o644)
    code, report = _fix(emu, _env(emu, tmp_path), "--yes")
    assert code == 0 and stat.S_IMODE(sa_file.stat().st_mode) == 0o600
    assert any(step["cause"] == "key_file_readable_by_others" for step in report["plan"])


def test_causes_without_a_safe_remedy_change_nothing(gemini_emulator, tmp_path):
    emu = gemini_emulator("api_key_leaked")
    code, report = _fix(emu, _env(emu, tmp_path), "--yes")
    assert code == 1 and report["plan"] == [] and "no safe automatic remedy" in " ".join(report["notes"])
    assert emu.stats()["mutations"] == 0
