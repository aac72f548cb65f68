"""The emulator's Policy Troubleshooter: v3 iam:troubleshoot (driven by gcloud itself) and v3beta
iam:troubleshootError (plain REST, as Google's own scripts call it), answered from the world's allow
bindings and deny policies; IAM denials carry the error ID and troubleshooter link; Data Access logs."""

import json
import shutil
import subprocess

import httpx
import pytest

from emulator_clients import call, gcloud_env
from gemini_doctor.emulator.backends import load_world
from gemini_doctor.emulator.scenarios import APP_SA, OWNER, scenario_world
from gemini_doctor.emulator.world import WorldError
from gemini_doctor.google.access import CLOUD_PLATFORM, PREDICT

PROJECT = "acme-prod"
PROJECT_NAME = f"//cloudresourcemanager.googleapis.com/projects/{PROJECT}"


def _refused(gemini_emulator, scenario: str) -> tuple:
    emu = gemini_emulator(scenario)
    with pytest.raises(
        Exception, match=r"aiplatform\.endpoints\.predict"
    ) as raised:  # google-genai's ClientError
        call(emu)
    return emu, raised.value


def _post(emu, path: str, body: dict, principal: str = OWNER) -> httpx.Response:
    token = emu.server.oauth.issue(principal, {CLOUD_PLATFORM})
    return httpx.post(f"{emu.url}{path}", json=body, headers={"Authorization": f"Bearer {token}"})


def _error_info(exc) -> dict:
    return next(d for d in exc.details["error"]["details"] if d.get("reason") == "IAM_PERMISSION_DENIED")


def test_an_iam_denial_carries_its_error_id_and_troubleshooter_link(gemini_emulator):
    _, exc = _refused(gemini_emulator, "iam_deny_policy")
    meta = _error_info(exc)["metadata"]
    assert meta["permission"] == PREDICT and meta["error_info_id"]
    assert meta["troubleshooter_url"].startswith(
        "https://console.cloud.google.com/iam-admin/troubleshooter/summary;errorId="
    )


def test_troubleshoot_error_names_the_deny_policy(gemini_emulator):
    emu, exc = _refused(gemini_emulator, "iam_deny_policy")
    error_id = _error_info(exc)["metadata"]["error_info_id"]
    for body in ({"errorInfoId": error_id}, {"error_info_id": error_id}):  # JSON and proto field names
        answer = _post(emu, "/v3beta/iam:troubleshootError", body)
        assert answer.status_code == 200, answer.text
        data = answer.json()
        assert data["overallAccessState"] == "OVERALL_ACCESS_STATE_CANNOT_ACCESS"
        assert data["accessContext"]["principal"] == APP_SA and data["accessContext"]["permission"] == PREDICT
        deny = data["denyPolicyExplanation"]
        assert deny["denyAccessState"] == "DENY_ACCESS_STATE_DENIED"
        (policy,) = deny["explainedResources"][0]["explainedPolicies"]
        assert policy["policy"]["name"].endswith("/denypolicies/no-genai-for-workloads")
        assert policy["ruleExplanations"][0]["combinedDeniedPrincipal"]["membership"] == "MEMBERSHIP_MATCHED"
        assert (
            data["allowPolicyExplanation"]["allowAccessState"] == "ALLOW_ACCESS_STATE_GRANTED"
        )  # the binding is there
    assert _post(emu, "/v3beta/iam:troubleshootError", {"errorInfoId": "Cg" + "A" * 30}).status_code == 404
    assert emu.stats()["mutations"] == 0


def test_a_missing_binding_is_not_granted_and_not_denied(gemini_emulator):
    emu, exc = _refused(gemini_emulator, "iam_permission_missing")
    data = _post(
        emu, "/v3beta/iam:troubleshootError", {"errorInfoId": _error_info(exc)["metadata"]["error_info_id"]}
    ).json()
    assert data["allowPolicyExplanation"]["allowAccessState"] == "ALLOW_ACCESS_STATE_NOT_GRANTED"
    assert data["denyPolicyExplanation"]["denyAccessState"] == "DENY_ACCESS_STATE_NOT_DENIED"


def test_a_caller_who_may_not_read_the_policies_learns_nothing(gemini_emulator):
    emu, _ = _refused(gemini_emulator, "iam_permission_missing")
    tuple_ = {"principal": APP_SA, "fullResourceName": PROJECT_NAME, "permission": PREDICT}
    data = _post(
        emu, "/v3/iam:troubleshoot", {"accessTuple": tuple_}, principal=APP_SA
    ).json()  # holds no role
    assert data["overallAccessState"] == "UNKNOWN_INFO"
    assert data["allowPolicyExplanation"]["explainedPolicies"] == [
        {"allowAccessState": "ALLOW_ACCESS_STATE_UNKNOWN_INFO"}
    ]
    assert "policy" not in json.dumps(data["denyPolicyExplanation"])
    assert (
        _post(
            emu, "/v3/iam:troubleshoot", {"accessTuple": {**tuple_, "principal": "serviceAccount:x"}}
        ).status_code
        == 400
    )


@pytest.mark.skipif(
    shutil.which("gcloud") is None, reason="gcloud is not installed: the gcloud proof is skipped"
)
def test_gcloud_troubleshoot_policy_iam_against_the_emulator(gemini_emulator, tmp_path):
    emu, _ = _refused(gemini_emulator, "iam_deny_policy")
    env = gcloud_env(emu, tmp_path, OWNER, "POLICYTROUBLESHOOTER", "CLOUDRESOURCEMANAGER")
    done = subprocess.run(
        [
            "gcloud",
            "policy-intelligence",
            "troubleshoot-policy",
            "iam",
            PROJECT_NAME,
            f"--principal-email={APP_SA}",
            f"--permission={PREDICT}",
            "--format=json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["overallAccessState"] == "CANNOT_ACCESS"
    assert data["accessTuple"]["permissionFqdn"] == "aiplatform.googleapis.com/endpoints.predict"
    assert data["denyPolicyExplanation"]["denyAccessState"] == "DENY_ACCESS_STATE_DENIED"
    # gcloud reads the audit configs back too: the world's Data Access logs, in Google's policy shape
    done = subprocess.run(
        ["gcloud", "projects", "get-iam-policy", PROJECT, "--format=json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["auditConfigs"][0]["service"] == "allServices"


def test_data_access_logs_off_means_no_audit_entry(gemini_emulator):
    emu, _ = _refused(gemini_emulator, "iam_permission_missing_unlogged")
    token = emu.server.oauth.issue(OWNER, {CLOUD_PLATFORM})
    listed = httpx.post(
        f"{emu.url}/v2/entries:list",
        json={"resourceNames": [f"projects/{PROJECT}"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert listed.status_code == 200 and listed.json() == {}
    policy = httpx.post(
        f"{emu.url}/v1/projects/{PROJECT}:getIamPolicy", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert "auditConfigs" not in policy.json()


def test_a_deny_policy_in_the_wrong_form_fails_at_load_naming_the_field():
    world = scenario_world("iam_deny_policy")
    world["projects"][0]["deny_policies"][0]["rules"][0]["denied_permissions"] = [
        "aiplatform.endpoints.predict"
    ]
    with pytest.raises(
        WorldError, match=r"projects\[0\]\.deny_policies\[0\]\.rules\[0\]\.denied_permissions"
    ):
        load_world(world)
