"""The emulated Organization Policy API v2, judged by the real gcloud: effective policies from the world."""

import json
import shutil
import subprocess

import pytest

from emulator_clients import gcloud_env
from gemini_doctor.emulator.backends import load_world
from gemini_doctor.emulator.scenarios import OWNER, scenario_world
from gemini_doctor.emulator.services.orgpolicy import effective_policy, model_denied
from gemini_doctor.emulator.world import WorldError
from gemini_doctor.google.org_policy import ALLOWED, DENIED, list_verdict, model_value


def _project(**changes):
    world = scenario_world("healthy")
    world["projects"][0].update(changes)
    return load_world(world).projects[0]


def test_unset_constraints_allow_everything_and_are_not_enforced():
    project = _project()
    assert (
        list_verdict(effective_policy(project, "gcp.restrictServiceUsage"), "aiplatform.googleapis.com")
        == ALLOWED
    )
    assert effective_policy(project, "iam.managed.disableServiceAccountApiKeyCreation")["spec"]["rules"] == [
        {"enforce": False}
    ]


def test_an_allowlist_refuses_what_it_leaves_out_and_a_denial_wins():
    project = _project(
        org_policies={"vertexai.allowedModels": {"allowed_values": [model_value("gemini-3.1-flash-lite")]}}
    )
    assert model_denied(project, "gemini-3.5-flash") and not model_denied(project, "gemini-3.1-flash-lite")
    policy = {"spec": {"rules": [{"values": {"allowedValues": ["a"]}}, {"values": {"deniedValues": ["a"]}}]}}
    assert list_verdict(policy, "a") == DENIED
    assert (
        list_verdict({"spec": {"rules": [{"values": {"allowedValues": ["in:us-locations"]}}]}}, "us-west1")
        is None
    )


def test_a_bad_rule_fails_at_load_naming_the_field():
    with pytest.raises(WorldError, match=r"org_policies.gcp.resourceLocations.allowed: must be one of"):
        _project(org_policies={"gcp.resourceLocations": {"allowed": ["us"]}})
    with pytest.raises(WorldError, match=r"state: must be one of ACTIVE, DELETE_REQUESTED"):
        _project(state="GONE")


@pytest.mark.skipif(shutil.which("gcloud") is None, reason="gcloud is not installed (on PATH)")
def test_gcloud_describes_the_effective_policy_and_the_projects_state(gemini_emulator, tmp_path):
    world = scenario_world("org_policy")
    world["projects"][0].update(
        state="DELETE_REQUESTED",
        org_policies={"iam.managed.disableServiceAccountApiKeyCreation": {"enforce": True}},
    )
    emu = gemini_emulator(world)
    env = gcloud_env(emu, tmp_path, OWNER, "CLOUDRESOURCEMANAGER", "ORGPOLICY")

    def gcloud(*args):
        done = subprocess.run(
            ["gcloud", *args, "--format=json"], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-1500:]
        return json.loads(done.stdout)

    models = gcloud(
        "org-policies", "describe", "vertexai.allowedModels", "--effective", "--project=acme-prod"
    )
    assert models["spec"]["rules"][0]["values"]["deniedValues"] == [model_value("gemini-3.5-flash")]
    keys = gcloud(
        "org-policies",
        "describe",
        "iam.managed.disableServiceAccountApiKeyCreation",
        "--effective",
        "--project=acme-prod",
    )
    assert keys == {
        "name": "projects/123456789012/policies/iam.managed.disableServiceAccountApiKeyCreation",
        "spec": {"rules": [{"enforce": True}]},
    }
    assert gcloud("projects", "describe", "acme-prod")["lifecycleState"] == "DELETE_REQUESTED"
    owners = [
        b for b in gcloud("projects", "get-iam-policy", "acme-prod")["bindings"] if b["role"] == "roles/owner"
    ]
    assert owners == [
        {"role": "roles/owner", "members": ["user:owner@example.com"]}
    ]  # whom check --for key-creation names
    assert emu.stats()["mutations"] == 0
