"""check reads the project's effective organization policy: it confirms or rules out org_policy, read-only."""

import pytest

from check_helpers import FAULT_KINDS, check
from gemini_doctor.emulator.scenarios import APP_SA, scenario_world


def _org_check(data: dict) -> dict:
    return next(c for c in data["checks"] if c["id"] == "org_policy")


def test_a_policy_that_disallows_the_model_is_named_first_with_its_evidence(gemini_emulator, tmp_path):
    emu = gemini_emulator("org_policy")
    data = check(emu, tmp_path).to_dict()
    assert data["causes"][0]["id"] == "org_policy", [(c["id"], c["confidence"]) for c in data["causes"]]
    probe = _org_check(data)
    assert probe["status"] == "fail"
    assert "constraints/vertexai.allowedModels" in probe["summary"] and "gemini-3.5-flash" in probe["summary"]
    assert any("effective organization policy" in line for line in data["causes"][0]["evidence"])
    assert emu.stats()["mutations"] == 0


def test_a_service_restriction_is_read_too(gemini_emulator, tmp_path):
    world = scenario_world("org_policy")
    world["projects"][0]["org_policy_denied_models"] = []
    world["projects"][0]["org_policies"] = {
        "gcp.restrictServiceUsage": {"allowed_values": ["storage.googleapis.com"]}
    }
    probe = _org_check(check(gemini_emulator(world), tmp_path).to_dict())
    assert "gcp.restrictServiceUsage" in probe["summary"] and "aiplatform.googleapis.com" in probe["summary"]


def test_policies_that_allow_the_call_rule_org_policy_out(gemini_emulator, tmp_path):
    world = scenario_world(
        "vpc_service_controls"
    )  # Google's text says "organization's policy": VPC-SC's, not an org policy
    world["projects"][0]["iam"].append(
        {"role": "roles/orgpolicy.policyViewer", "members": [f"serviceAccount:{APP_SA}"]}
    )
    data = check(gemini_emulator(world), tmp_path).to_dict()
    probe = _org_check(data)
    assert probe["status"] == "ok" and "allow gemini-3.5-flash" in probe["summary"], probe
    assert data["causes"][0]["id"] == "vpc_service_controls"
    org = next((c for c in data["causes"] if c["id"] == "org_policy"), None)
    assert org is None or org["confidence"] < 0.5


def test_a_group_value_is_reported_undecided_never_guessed(gemini_emulator, tmp_path):
    world = scenario_world("model_not_in_region")
    world["projects"][0]["iam"].append({"role": "roles/viewer", "members": [f"serviceAccount:{APP_SA}"]})
    world["projects"][0]["org_policies"] = {"gcp.resourceLocations": {"allowed_values": ["in:eu-locations"]}}
    probe = _org_check(check(gemini_emulator(world), tmp_path).to_dict())
    assert probe["status"] == "ok" and "value group" in probe["summary"], probe


def test_without_access_it_could_not_check_and_names_the_role(gemini_emulator, tmp_path):
    world = scenario_world("org_policy")
    world["projects"][0]["iam"] = [
        b for b in world["projects"][0]["iam"] if b["role"] != "roles/orgpolicy.policyViewer"
    ]
    data = check(gemini_emulator(world), tmp_path).to_dict()
    probe = _org_check(data)
    assert probe["status"] == "could_not_check" and "roles/orgpolicy.policyViewer" in probe["summary"], probe
    assert data["causes"][0]["id"] == "org_policy"  # Google's own text still says so


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_an_org_policy_failure_is_could_not_check(gemini_emulator, tmp_path, kind):
    world = scenario_world("org_policy")
    world["faults"] = [{"path_contains": ":getEffectivePolicy", "kind": kind}]
    data = check(
        gemini_emulator(world), tmp_path, hung=":getEffectivePolicy" if kind == "timeout" else None
    ).to_dict()
    assert _org_check(data)["status"] == "could_not_check"
    assert data["causes"][0]["id"] == "org_policy"
