"""scan reads exported Cloud Audit Logs (gcloud logging read --format=json: a JSON array; or one entry a line)
and lists the denied calls with permission, principal, method and time, besides grouping them by cause."""

import io
import json
import shutil
import subprocess

import pytest

from conftest import invoke_cli
from emulator_clients import call, gcloud_env
from gemini_doctor.emulator.scenarios import APP_SA, DEV
from gemini_doctor.google.access import PREDICT
from gemini_doctor.scan import scan_stream

METHOD = "google.cloud.aiplatform.v1beta1.PredictionService.GenerateContent"


def _entry(principal=APP_SA, permission=PREDICT, when="2026-12-01T10:00:00.123456Z") -> dict:
    resource = "projects/acme-prod/locations/global/publishers/google/models/gemini-3.5-flash"
    return {
        "protoPayload": {
            "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            "status": {
                "code": 7,
                "message": f"Permission '{permission}' denied on resource "
                f"'//aiplatform.googleapis.com/{resource}' (or it may not exist).",
            },
            "authenticationInfo": {"principalEmail": principal},
            "serviceName": "aiplatform.googleapis.com",
            "methodName": METHOD,
            "resourceName": resource,
            "authorizationInfo": [{"resource": resource, "permission": permission, "granted": False}],
        },
        "insertId": "abc123",
        "resource": {"type": "audited_resource", "labels": {"project_id": "acme-prod"}},
        "timestamp": when,
        "severity": "ERROR",
        "logName": "projects/acme-prod/logs/cloudaudit.googleapis.com%2Fdata_access",
    }


def _report(data: bytes) -> dict:
    return scan_stream(io.BytesIO(data)).to_dict()


@pytest.mark.parametrize("layout", ["array", "lines"])
def test_denied_calls_are_listed_with_permission_principal_method_time(layout):
    entries = [_entry(), _entry(principal=DEV, when="2026-12-01T11:00:00Z")]
    data = json.dumps(entries, indent=2) if layout == "array" else "\n".join(json.dumps(e) for e in entries)
    report = _report(data.encode())
    assert report["audit_denials"] == [
        {
            "time": "2026-12-01T10:00:00.123456Z",
            "principal": APP_SA,
            "permission": PREDICT,
            "service": "aiplatform.googleapis.com",
            "method": METHOD,
        },
        {
            "time": "2026-12-01T11:00:00Z",
            "principal": DEV,
            "permission": PREDICT,
            "service": "aiplatform.googleapis.com",
            "method": METHOD,
        },
    ]
    assert [(g["cause"], g["count"]) for g in report["groups"]] == [("iam_permission_missing", 2)]


def test_values_not_in_googles_syntax_are_not_shown():
    report = _report(json.dumps([_entry(principal="$(touch pwned)@x", permission="a;rm -rf /")]).encode())
    (denial,) = report["audit_denials"]
    assert denial["principal"] is None and denial["permission"] is None


@pytest.mark.parametrize(
    ("principal", "member"), [(APP_SA, f"serviceAccount:{APP_SA}"), (DEV, f"user:{DEV}")]
)
def test_the_fix_grants_to_the_principal_the_entry_names(principal, member):
    (group,) = _report(json.dumps([_entry(principal=principal)]).encode())["groups"]
    assert (
        group["fix"]
        == f"gcloud projects add-iam-policy-binding acme-prod --member={member} --role=roles/aiplatform.user"
    )


def test_a_principal_not_in_googles_syntax_stays_a_placeholder():
    (group,) = _report(json.dumps([_entry(principal="$(touch pwned)@x")]).encode())["groups"]
    assert (
        group["fix"].startswith("# ") and "--member=PRINCIPAL" in group["fix"] and "pwned" not in group["fix"]
    )


def test_an_ordinary_json_array_is_scanned_as_text():
    data = json.dumps(
        [
            {
                "msg": "call failed",
                "error": {
                    "code": 403,
                    "status": "PERMISSION_DENIED",
                    "message": "Permission 'aiplatform.endpoints.predict' denied on resource",
                },
            }
        ]
    )
    report = _report(data.encode())
    assert report["audit_denials"] == [] and report["groups"][0]["cause"] == "iam_permission_missing"


def test_the_text_report_lists_them(tmp_path):
    path = tmp_path / "audit.json"
    path.write_text(json.dumps([_entry()], indent=2))
    out = invoke_cli("scan", str(path)).stdout.decode()
    assert "denied call" in out and APP_SA in out and PREDICT in out and METHOD in out


@pytest.mark.skipif(shutil.which("gcloud") is None, reason="gcloud is not installed: the export is not made")
def test_scan_reads_what_gcloud_logging_read_exports(gemini_emulator, tmp_path):
    emu = gemini_emulator("iam_deny_policy")
    with pytest.raises(Exception, match=r"aiplatform\.endpoints\.predict"):
        call(emu)
    env = gcloud_env(emu, tmp_path, DEV, "LOGGING")
    done = subprocess.run(
        [
            "gcloud",
            "logging",
            "read",
            "protoPayload.status.code=7",
            "--project",
            "acme-prod",
            "--format=json",
        ],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (denial,) = _report(done.stdout)["audit_denials"]
    assert (
        denial["principal"] == APP_SA
        and denial["permission"] == PREDICT
        and denial["method"].endswith("GenerateContent")
    )
