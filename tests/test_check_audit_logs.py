"""check reads the project's audit log for recent denied Gemini calls: evidence, read-only, never blame."""

from datetime import UTC, datetime, timedelta

import pytest

from check_helpers import FAULT_KINDS, check
from emulator_clients import call
from gemini_doctor.emulator.scenarios import APP_SA, scenario_world
from gemini_doctor.probes import runner
from gemini_doctor.probes.audit_logs.audit_logs import denied_filter


def _world(may_read_logs: bool) -> dict:
    world = scenario_world("iam_permission_missing")
    if may_read_logs:
        world["projects"][0]["iam"].append(
            {"role": "roles/logging.viewer", "members": [f"serviceAccount:{APP_SA}"]}
        )
    return world


def _after_a_denied_call(gemini_emulator, world):
    emu = gemini_emulator(world)
    with pytest.raises(Exception, match=r"aiplatform\.endpoints\.predict"):  # the app's own call, refused
        call(emu)
    return emu


def test_the_audit_log_names_permission_principal_method_and_time(gemini_emulator, tmp_path):
    emu = _after_a_denied_call(gemini_emulator, _world(may_read_logs=True))
    result = check(emu, tmp_path)
    data = result.to_dict()
    assert data["causes"][0]["id"] == "iam_permission_missing"
    audit = next(c for c in data["checks"] if c["id"] == "audit_logs")
    assert audit["status"] == "ok"
    for part in ("aiplatform.endpoints.predict", APP_SA, "google.cloud.aiplatform.", "Z"):
        assert part in audit["summary"], audit["summary"]
    assert any("audit log" in line for line in data["causes"][0]["evidence"])
    assert emu.stats()["mutations"] == 0


def test_a_denial_logged_after_the_check_began_is_left_out(gemini_emulator, tmp_path, monkeypatch):
    """A denial logged after the check began is one of the check's own calls (Google's log shows none so
    soon): it is left out, so the answer does not depend on which probe finishes first. Here the app's call
    is made to come after the check's start by starting the check's clock a minute early."""
    emu = _after_a_denied_call(gemini_emulator, _world(may_read_logs=True))
    began = datetime.now(UTC) - timedelta(minutes=1)
    monkeypatch.setattr(runner, "datetime", type("Clock", (), {"now": staticmethod(lambda tz: began)}))
    audit = next(c for c in check(emu, tmp_path).to_dict()["checks"] if c["id"] == "audit_logs")
    assert audit["summary"].startswith("no denied Gemini calls") and APP_SA not in audit["summary"], audit


def test_without_logging_access_it_could_not_check(gemini_emulator, tmp_path):
    emu = _after_a_denied_call(gemini_emulator, _world(may_read_logs=False))
    data = check(emu, tmp_path).to_dict()
    audit = next(c for c in data["checks"] if c["id"] == "audit_logs")
    assert audit["status"] == "could_not_check" and "roles/logging.viewer" in audit["summary"]
    assert data["causes"][0]["id"] == "iam_permission_missing"


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_a_logging_failure_is_could_not_check(gemini_emulator, tmp_path, kind):
    world = _world(may_read_logs=True)
    world["faults"] = [{"path_contains": "entries:list", "kind": kind}]
    emu = gemini_emulator(world)
    data = check(emu, tmp_path, hung="entries:list" if kind == "timeout" else None).to_dict()
    audit = next(c for c in data["checks"] if c["id"] == "audit_logs")
    assert audit["status"] == "could_not_check", audit
    assert data["causes"][0]["id"] == "iam_permission_missing"


@pytest.mark.parametrize("reads_policy", [True, False])
def test_no_denial_logged_says_whether_data_access_logs_are_on(gemini_emulator, tmp_path, reads_policy):
    world = scenario_world("healthy")  # a working Vertex setup: nothing refused, nothing logged
    world["client"].update(surface="vertex", api_key=None, principal=APP_SA)
    roles = ["roles/logging.viewer"] + (["roles/iam.securityReviewer"] if reads_policy else [])
    world["projects"][0]["iam"] += [{"role": role, "members": [f"serviceAccount:{APP_SA}"]} for role in roles]
    emu = gemini_emulator(world)
    audit = next(c for c in check(emu, tmp_path).to_dict()["checks"] if c["id"] == "audit_logs")
    if reads_policy:
        assert (
            audit["status"] == "ok"
            and "Data Access audit logs are on for aiplatform.googleapis.com" in audit["summary"]
        )
    else:  # no entry says nothing when the logs may be off: could not check, naming the role that would tell
        assert audit["status"] == "could_not_check" and "roles/iam.securityReviewer" in audit["summary"], (
            audit
        )


def test_the_filter_is_googles_syntax():
    from datetime import datetime

    from gemini_doctor.emulator.logging_filter import parse_filter

    text = denied_filter(datetime(2026, 11, 30, tzinfo=UTC))
    assert 'timestamp>="2026-11-30T00:00:00Z"' in text
    entry = {
        "logName": "projects/p/logs/cloudaudit.googleapis.com%2Fdata_access",
        "timestamp": "2026-12-01T00:00:00Z",
        "protoPayload": {"status": {"code": 7}, "serviceName": "aiplatform.googleapis.com"},
    }
    assert parse_filter(text)(entry)
