"""check asks Policy Troubleshooter after an IAM denial (a deny policy, or no binding) and reads whether Data
Access audit logs are on when the audit log holds no denial: evidence, read-only, never the user's fault."""

import shutil
import subprocess

import pytest

from check_helpers import FAULT_KINDS, check
from emulator_clients import call, gcloud_env
from gemini_doctor.emulator.scenarios import APP_SA, OWNER, scenario_world
from gemini_doctor.probes.policy_troubleshooter.policy_troubleshooter import read_explanation


def _checked(gemini_emulator, tmp_path, world, **flags):
    emu = gemini_emulator(world)
    with pytest.raises(Exception, match=r"aiplatform\.endpoints\.predict"):  # the app's own call, refused
        call(emu)
    data = check(emu, tmp_path, **flags).to_dict()
    return emu, data, {c["id"]: c for c in data["checks"]}


def test_a_deny_policy_is_named_first_with_the_troubleshooters_evidence(gemini_emulator, tmp_path):
    emu, data, checks = _checked(gemini_emulator, tmp_path, scenario_world("iam_deny_policy"))
    top = data["causes"][0]
    assert top["id"] == "iam_permission_missing"
    probe = checks["policy_troubleshooter"]
    assert (
        probe["status"] == "ok"
        and "deny policy no-genai-for-workloads" in probe["summary"]
        and APP_SA in probe["summary"]
    )
    assert "deny policy no-genai-for-workloads" in top["evidence"][0]
    assert top["fix"][0]["command"] == (
        "gcloud iam policies get no-genai-for-workloads "
        "--attachment-point=cloudresourcemanager.googleapis.com/projects/acme-prod --kind=denypolicies"
    )
    assert not any(
        "add-iam-policy-binding" in f.get("command", "") for f in top["fix"]
    )  # a grant cannot beat a deny
    assert emu.stats()["mutations"] == 0


def test_a_missing_binding_is_told_apart_from_a_deny_policy(gemini_emulator, tmp_path):
    world = scenario_world("iam_permission_missing")
    world["projects"][0]["iam"].append(
        {"role": "roles/iam.securityReviewer", "members": [f"serviceAccount:{APP_SA}"]}
    )
    world["projects"][0]["iam"].append(
        {"role": "roles/iam.denyReviewer", "members": [f"serviceAccount:{APP_SA}"]}
    )
    emu, data, checks = _checked(gemini_emulator, tmp_path, world)
    probe = checks["policy_troubleshooter"]
    assert probe["status"] == "ok" and "no role binding" in probe["summary"], probe
    top = data["causes"][0]
    assert top["id"] == "iam_permission_missing" and "no role binding" in top["evidence"][0]
    assert "add-iam-policy-binding" in top["fix"][0]["command"]
    assert emu.stats()["mutations"] == 0


def test_without_policy_read_access_it_could_not_check(gemini_emulator, tmp_path):
    _, data, checks = _checked(gemini_emulator, tmp_path, scenario_world("iam_permission_missing"))
    probe = checks["policy_troubleshooter"]
    assert probe["status"] == "could_not_check" and "roles/iam.securityReviewer" in probe["summary"]
    assert data["causes"][0]["id"] == "iam_permission_missing"


@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize(
    "probe, path", [("policy_troubleshooter", "/iam:troubleshoot"), ("audit_logs", ":getIamPolicy")]
)
def test_a_google_failure_is_could_not_check(gemini_emulator, tmp_path, kind, probe, path):
    world = scenario_world(
        "iam_deny_policy" if probe == "policy_troubleshooter" else "iam_permission_missing_unlogged"
    )
    world["faults"] = [{"path_contains": path, "kind": kind}]
    _, data, checks = _checked(gemini_emulator, tmp_path, world, hung=path if kind == "timeout" else None)
    assert checks[probe]["status"] == "could_not_check", checks[probe]
    assert "off for" not in checks[probe]["summary"]  # never a claim about the user's setup
    assert data["causes"][0]["id"] == "iam_permission_missing"


def test_no_iam_denial_no_troubleshooting(gemini_emulator, tmp_path):
    world = scenario_world("healthy")
    world["client"].update(surface="vertex", api_key=None, principal=APP_SA)
    data = check(gemini_emulator(world), tmp_path).to_dict()
    assert {c["id"]: c["status"] for c in data["checks"]}["policy_troubleshooter"] == "skipped"


def test_what_google_answers_is_shown_only_in_its_syntax():
    body = {
        "overallAccessState": "CANNOT_ACCESS",
        "denyPolicyExplanation": {
            "denyAccessState": "DENY_ACCESS_STATE_DENIED",
            "explainedResources": [
                {
                    "explainedPolicies": [
                        {
                            "denyAccessState": "DENY_ACCESS_STATE_DENIED",
                            "policy": {"name": "policies/x/denypolicies/$(touch pwned)"},
                        }
                    ]
                }
            ],
        },
    }
    outcome = read_explanation(body, APP_SA, "aiplatform.endpoints.predict", "acme-prod")
    assert "a deny policy on project" in outcome.summary and "pwned" not in outcome.summary
    assert outcome.result.name is None and "iam_deny_policy" in outcome.facts


def test_data_access_logs_off_is_said_with_a_command_that_turns_them_on(gemini_emulator, tmp_path):
    emu, _, checks = _checked(gemini_emulator, tmp_path, scenario_world("iam_permission_missing_unlogged"))
    audit = checks["audit_logs"]["summary"]
    assert (
        checks["audit_logs"]["status"] == "ok"
        and "Data Access audit logs are off for aiplatform.googleapis.com" in audit
    )
    command = audit.split(": ", 1)[1][audit.split(": ", 1)[1].index("gcloud") :]
    assert command.startswith(
        "gcloud projects get-iam-policy acme-prod --format=json > policy.json && python3 -c '"
    )
    if shutil.which("gcloud") is None or shutil.which("python3") is None:
        pytest.skip("gcloud is not installed: the command is not run")
    env = gcloud_env(emu, tmp_path, OWNER, "CLOUDRESOURCEMANAGER")
    done = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    after = {c["id"]: c for c in check(emu, tmp_path).to_dict()["checks"]}["audit_logs"]["summary"]
    assert (
        "are on for aiplatform.googleapis.com" in after or "was denied aiplatform.endpoints.predict" in after
    ), after


@pytest.mark.skipif(shutil.which("gcloud") is None, reason="gcloud is not installed (on PATH)")
def test_the_troubleshooter_turned_off_is_could_not_check_with_the_enable_command(gemini_emulator, tmp_path):
    """The project the call bills has Policy Troubleshooter off: Google's SERVICE_DISABLED is "could not
    check", never a finding, with the command that turns it on; run in the real gcloud, the next check reads
    it."""
    world = scenario_world("iam_deny_policy")
    world["projects"][0]["disabled_apis"] = ["policytroubleshooter.googleapis.com"]
    emu, data, checks = _checked(gemini_emulator, tmp_path, world)
    probe = checks["policy_troubleshooter"]
    enable = "gcloud services enable policytroubleshooter.googleapis.com --project=123456789012"
    assert probe["status"] == "could_not_check", probe
    assert probe["summary"] == f"could not check (API not enabled): {enable}"
    assert data["causes"][0]["id"] == "iam_permission_missing"
    done = subprocess.run(
        ["bash", "-c", enable],
        env=gcloud_env(emu, tmp_path, OWNER, "SERVICEUSAGE"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-1500:]
    again = {c["id"]: c for c in check(emu, tmp_path).to_dict()["checks"]}["policy_troubleshooter"]
    assert again["status"] == "ok" and "no-genai-for-workloads" in again["summary"], again
