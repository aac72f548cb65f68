"""The emulator's audit log: every PERMISSION_DENIED it answers is an audit entry, read back with
Cloud Logging's entries:list (by gcloud itself, and by its filter syntax)."""

import json
import shutil
import subprocess

import httpx
import pytest

from emulator_clients import call, gcloud_env
from gemini_doctor.emulator.logging_filter import FilterError, parse_filter
from gemini_doctor.emulator.scenarios import APP_SA, DEV, scenario_world

PROJECT = "acme-prod"
DENIED = 'protoPayload.status.code=7 AND protoPayload.serviceName="aiplatform.googleapis.com"'


def _denied_vertex_call(gemini_emulator):
    emu = gemini_emulator(scenario_world("iam_permission_missing"))
    with pytest.raises(Exception, match=r"aiplatform\.endpoints\.predict"):  # google-genai's ClientError
        call(emu)
    return emu


def _list(emu, principal=DEV, **body):
    token = emu.server.oauth.issue(principal, {"https://www.googleapis.com/auth/cloud-platform"})
    body.setdefault("resourceNames", [f"projects/{PROJECT}"])
    return httpx.post(f"{emu.url}/v2/entries:list", json=body, headers={"Authorization": f"Bearer {token}"})


def test_a_refused_vertex_call_is_an_audit_entry(gemini_emulator):
    emu = _denied_vertex_call(gemini_emulator)
    answer = _list(emu, filter=DENIED)
    assert answer.status_code == 200
    (entry,) = answer.json()["entries"]
    payload = entry["protoPayload"]
    assert payload["@type"] == "type.googleapis.com/google.cloud.audit.AuditLog"
    assert payload["status"]["code"] == 7 and "aiplatform.endpoints.predict" in payload["status"]["message"]
    assert payload["authenticationInfo"]["principalEmail"] == APP_SA
    assert payload["methodName"].startswith("google.cloud.aiplatform.") and payload[
        "resourceName"
    ].startswith(f"projects/{PROJECT}/")
    assert payload["authorizationInfo"] == [
        {
            "resource": payload["resourceName"],
            "permission": "aiplatform.endpoints.predict",
            "granted": False,
            "resourceAttributes": {},
        }
    ]
    assert entry["severity"] == "ERROR" and entry["timestamp"].endswith("Z")
    assert entry["logName"] == f"projects/{PROJECT}/logs/cloudaudit.googleapis.com%2Fdata_access"
    assert emu.stats()["mutations"] == 0


def test_the_filter_selects_and_pages(gemini_emulator):
    emu = _denied_vertex_call(gemini_emulator)
    with pytest.raises(Exception, match="PERMISSION_DENIED"):
        call(emu)
    assert len(_list(emu).json()["entries"]) == 2
    assert _list(emu, filter='protoPayload.serviceName="generativelanguage.googleapis.com"').json() == {}
    assert (
        len(_list(emu, filter='severity>=WARNING timestamp>="2020-01-01T00:00:00Z"').json()["entries"]) == 2
    )
    assert _list(emu, filter='timestamp>="2999-01-01T00:00:00Z"').json() == {}
    either = 'protoPayload.serviceName=("generativelanguage.googleapis.com" OR "aiplatform.googleapis.com")'
    assert len(_list(emu, filter=f'logName:"cloudaudit.googleapis.com" {either}').json()["entries"]) == 2
    first = _list(emu, pageSize=1, orderBy="timestamp desc").json()
    second = _list(emu, pageSize=1, orderBy="timestamp desc", pageToken=first["nextPageToken"]).json()
    assert "nextPageToken" not in second
    assert first["entries"][0]["timestamp"] >= second["entries"][0]["timestamp"]
    assert _list(emu, filter="protoPayload.status.code=(").status_code == 400


def test_reading_logs_needs_logging_permission(gemini_emulator):
    emu = _denied_vertex_call(gemini_emulator)
    answer = _list(
        emu, principal=APP_SA
    )  # the service account holds no role that carries logging.logEntries.list
    assert answer.status_code == 403 and "logging.logEntries.list" in answer.text


@pytest.mark.parametrize(
    "text, entry, expected",
    [
        ("a.b=1", {"a": {"b": 1}}, True),
        ('a.b="x y"', {"a": {"b": "x y"}}, True),
        ("NOT a=1", {"a": 1}, False),
        ("-a=1", {"a": 2}, True),
        ("a=1 OR a=2", {"a": 2}, True),
        ('(a=1 OR a=2) AND b:"ell"', {"a": 2, "b": "HELLO"}, True),
        ("a!=1", {}, True),
        ("severity>ERROR", {"severity": "ERROR"}, False),
    ],
)
def test_filter_syntax(text, entry, expected):
    assert parse_filter(text)(entry) is expected


@pytest.mark.parametrize(
    "text", ["a=", "(a=1", "a=1 OR", "free text", 'a="unterminated', 'timestamp>="yesterday"']
)
def test_a_bad_filter_is_refused(text):
    with pytest.raises(FilterError):
        parse_filter(text)({"timestamp": "2026-01-01T00:00:00Z"})


@pytest.mark.skipif(
    shutil.which("gcloud") is None, reason="gcloud is not installed: the gcloud logging read proof is skipped"
)
def test_gcloud_logging_read_returns_the_recorded_entries(gemini_emulator, tmp_path):
    emu = _denied_vertex_call(gemini_emulator)
    env = gcloud_env(emu, tmp_path, DEV, "LOGGING")
    done = subprocess.run(
        ["gcloud", "logging", "read", "protoPayload.status.code=7", "--project", PROJECT, "--format=json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (entry,) = json.loads(done.stdout)
    assert entry["protoPayload"]["authenticationInfo"]["principalEmail"] == APP_SA
    assert entry["protoPayload"]["authorizationInfo"][0]["permission"] == "aiplatform.endpoints.predict"
