"""2026 IAM denials carry a Policy Troubleshooter link and error ID: explain surfaces them, safely."""

import json

import pytest

from conftest import invoke_cli
from gemini_doctor import explain

ERROR_ID = "CiQwMTlmYWJjZC1hYmNkLTQ1NjctODlhYi1jZGVmMDEyMzQ1NjcSJGFpcGxhdGZvcm0uZW5kcG9pbnRzLnByZWRpY3Q=="
URL = f"https://console.cloud.google.com/iam-admin/troubleshooter/summary;errorId={ERROR_ID}"
PROSE = (
    "403 Permission 'aiplatform.endpoints.predict' denied on resource (or it may not exist). Remediate "
    f"access with this Troubleshooter URL or share it with your administrator - {URL} ."
)
BODY = json.dumps(
    {
        "error": {
            "code": 403,
            "status": "PERMISSION_DENIED",
            "message": (
                "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."
            ),
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "IAM_PERMISSION_DENIED",
                    "domain": "iam.googleapis.com",
                    "metadata": {
                        "permission": "iam.serviceAccounts.getAccessToken",
                        "error_info_id": ERROR_ID,
                        "troubleshooter_url": URL,
                    },
                }
            ],
        }
    }
)


@pytest.mark.parametrize("text", [PROSE, BODY], ids=["prose", "error-info"])
def test_the_link_and_id_are_read_and_shown(text):
    diagnosis = explain(text)
    assert diagnosis.record.error_info_id == ERROR_ID and diagnosis.record.troubleshooter_url == URL
    top = diagnosis.to_dict()["causes"][0]
    assert top["id"] == "iam_permission_missing" and diagnosis.settled
    assert any(ERROR_ID in line for line in top["evidence"])
    link = next(
        f["url"] for f in top["fix"] if "/troubleshooter/" in f.get("url", "")
    )  # after the grant: the usual fix
    assert link.startswith("https://console.cloud.google.com/iam-admin/troubleshooter/summary;errorId=CiQw")
    assert json.loads(diagnosis.to_json()) == diagnosis.to_dict()


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_every_format_shows_it(fmt):
    done = invoke_cli("explain", "--format", fmt, input=PROSE)
    out = done.stdout.decode()
    assert "troubleshooter/summary;errorId=CiQw" in out and "Policy Troubleshooter" in out, done.stderr


@pytest.mark.parametrize(
    "url",
    [
        "https://console.cloud.google.com.evil.example/iam-admin/troubleshooter/summary;errorId=CiQwMTlmabcd",
        "https://console.cloud.google.com/iam-admin/troubleshooter/summary;errorId=CiQw$(touch${IFS}pwned)",
        "https://console.cloud.google.com/iam-admin/troubleshooter/summary;errorId=Ci`id`Qw",
    ],
)
def test_a_foreign_or_hostile_link_is_never_kept(url):
    text = json.loads(BODY)
    text["error"]["details"][0]["metadata"].update(
        troubleshooter_url=url, error_info_id="not an id; rm -rf ~"
    )
    diagnosis = explain(json.dumps(text))
    assert diagnosis.record.troubleshooter_url is None and diagnosis.record.error_info_id is None
    out = diagnosis.to_json()
    assert "evil.example" not in "".join(
        s.get("url", "") for c in diagnosis.to_dict()["causes"] for s in c["fix"]
    )
    assert "rm -rf" not in "".join(
        s.get("url", "") + s.get("command", "") for c in diagnosis.to_dict()["causes"] for s in c["fix"]
    )
    assert diagnosis.top.cause.id == "iam_permission_missing" and out
