"""`check` against every built-in scenario: names the cause first, stays read-only, survives faults."""

import json

import httpx
import pytest

from check_helpers import FAULT_KINDS, check, user_env
from conftest import invoke_cli
from emulator_clients import call
from gemini_doctor.emulator.scenarios import scenario_cause, scenario_names, scenario_world

# How an app sends its credential is its own code: check sends each credential the one right way,
# so it cannot see it.
NOT_IN_THE_SETUP = {"credential_sent_wrong"}
# A per-minute quota the app's own calls used up: check reads the limit, not the usage, and its countTokens
# probe is outside the generation quota (as at Google), so it cannot see the window is full; it shows the
# limit.
USAGE_NOT_READ = {"quota_exhausted"}


@pytest.mark.parametrize("scenario", sorted(set(scenario_names()) - NOT_IN_THE_SETUP - USAGE_NOT_READ))
def test_check_names_the_scenario_and_changes_nothing(gemini_emulator, tmp_path, scenario):
    emu = gemini_emulator(scenario)
    for _ in range(emu.client.get("calls", 1) - 1):  # the app's earlier calls (quota used up)
        with pytest.raises(Exception):  # noqa: B017 - whatever the app's client raises: only the used quota matters
            call(emu)
    result = check(emu, tmp_path)
    data = result.to_dict()
    if scenario == "healthy":
        assert data["healthy"] and result.exit_code == 0 and data["causes"] == []
    else:
        assert not data["healthy"] and result.exit_code == 1, data["checks"]
        assert data["causes"][0]["id"] == scenario_cause(scenario), [
            (c["id"], c["confidence"]) for c in data["causes"]
        ]
    assert emu.stats()["mutations"] == 0


def test_a_used_up_quota_shows_its_limit(gemini_emulator, tmp_path):
    emu = gemini_emulator("quota_exhausted")
    with pytest.raises(Exception):  # noqa: B017 - whatever the app's client raises: only the used quota matters
        call(emu)
    checks = {c["id"]: c for c in check(emu, tmp_path).to_dict()["checks"]}
    assert checks["quota"]["status"] == "ok" and "1 a minute" in checks["quota"]["summary"], checks["quota"]
    assert checks["call_target"]["status"] == "ok"  # countTokens spends no generation quota


def test_two_faults_names_the_blocking_one_and_mentions_the_other(gemini_emulator, tmp_path):
    world = scenario_world("healthy")
    world["api_keys"][0]["project"] = "shared-billing"  # the key was made in another project ...
    world["projects"][1]["services"] = ["aiplatform.googleapis.com"]  # ... where the Gemini API is off
    world["projects"][1]["iam"] = [{"role": "roles/viewer", "members": ["user:dev@example.com"]}]
    emu = gemini_emulator(world)
    data = check(emu, tmp_path).to_dict()
    ids = [c["id"] for c in data["causes"]]
    assert ids[0] == "service_disabled" and "wrong_project" in ids[1:]
    assert "--project=shared-billing" in data["causes"][0]["fix"][0]["command"]


def test_an_ai_studio_key_used_on_vertex_is_the_wrong_surface(gemini_emulator, tmp_path):
    """CONTRIBUTING's worked example, end to end: the app sends its AI Studio key (restricted to the Gemini
    API) to Vertex AI in express mode; key_restrictions establishes api_key_on_vertex, which names
    wrong_surface first."""
    world = scenario_world("healthy")
    world["client"].update(surface="vertex", project=None, location=None)
    result = check(gemini_emulator(world), tmp_path)
    assert "api_key_on_vertex" in result.outcomes["key_restrictions"].facts
    data = result.to_dict()
    assert result.exit_code == 1 and data["causes"][0]["id"] == "wrong_surface", [
        (c["id"], c["confidence"]) for c in data["causes"]
    ]


def test_a_403_incident_on_a_ga_model_is_googles_not_gating(gemini_emulator, tmp_path):
    world = scenario_world("healthy")
    world["incidents"] = [
        {
            "model": "gemini-3.5-flash",
            "surface": "both",
            "http_status": 403,
            "message": "The caller does not have permission",
        }
    ]
    data = check(gemini_emulator(world), tmp_path).to_dict()
    assert data["causes"][0]["id"] == "google_incident", [(c["id"], c["confidence"]) for c in data["causes"]]
    assert "model_access_restricted" in [c["id"] for c in data["causes"]]


PROBE_PATHS = {
    "billing": "billingInfo",
    "key_lookup": "keys:lookupKey",
    "service": "/services/",
    "tokeninfo": "tokeninfo",
    "project": "/v3/projects/",
    "key_restrictions": "/locations/global/keys/",
    "call_control": "gemini-3.1-flash-lite:countTokens",
    "org_policy": ":getEffectivePolicy",
}


@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize("probe", sorted(PROBE_PATHS))
def test_a_failing_probe_is_could_not_check_never_the_users_fault(gemini_emulator, tmp_path, kind, probe):
    world = scenario_world("healthy")
    world["faults"] = [{"path_contains": PROBE_PATHS[probe], "kind": kind}]
    emu = gemini_emulator(world)
    result = check(emu, tmp_path, hung=PROBE_PATHS[probe] if kind == "timeout" else None)
    statuses = {c["id"]: c["status"] for c in result.to_dict()["checks"]}
    assert statuses[probe] == "could_not_check", statuses
    assert result.healthy and result.exit_code == 0


@pytest.mark.parametrize("kind", ["http_500", "http_503"])
def test_google_failing_on_the_model_call_is_googles_incident(gemini_emulator, tmp_path, kind):
    world = scenario_world("healthy")
    world["faults"] = [{"path_contains": ":countTokens", "kind": kind}]
    emu = gemini_emulator(world)
    data = check(emu, tmp_path).to_dict()
    assert data["causes"][0]["id"] == "google_incident"


def test_cli_json_schema_exit_codes_and_no_secrets(gemini_emulator, tmp_path):
    emu = gemini_emulator("iam_permission_missing")
    env = user_env(emu, tmp_path)
    done = invoke_cli("check", "--format", "json", "--endpoint", emu.url, env=env)
    data = json.loads(done.stdout)
    assert done.returncode == 1
    assert set(data) >= {"healthy", "causes", "checks", "credential", "requests", "elapsed_ms"}
    assert set(data["credential"]) >= {"kind", "source", "principal", "project"}
    assert all(set(c) >= {"id", "status", "summary", "duration_ms"} for c in data["checks"])
    assert data["causes"][0]["id"] == "iam_permission_missing"
    assert (
        "--member=serviceAccount:app@acme-prod.iam.gserviceaccount.com"
        in data["causes"][0]["fix"][0]["command"]
    )
    sa = json.loads(next(p for k, p in emu.credentials.items() if k.startswith("app@")).read_text())
    for secret in (sa["private_key"].splitlines()[1], sa["private_key_id"]):
        for fmt in ("json", "text", "markdown"):
            assert (
                secret
                not in invoke_cli("check", "--format", fmt, "--endpoint", emu.url, env=env).stdout.decode()
            )
    tokens = [t for t in emu.server.oauth.tokens]
    assert tokens and not any(t in done.stdout.decode() for t in tokens)


def test_cli_healthy_text_and_fix_commands(gemini_emulator, tmp_path):
    healthy = gemini_emulator("healthy")
    done = invoke_cli("check", "--endpoint", healthy.url, env=user_env(healthy, tmp_path))
    assert done.returncode == 0 and "Healthy" in done.stdout.decode()
    for fmt in ("text", "json", "markdown"):  # the key is used for every call and shown masked at most
        out = invoke_cli(
            "check", "--format", fmt, "--endpoint", healthy.url, env=user_env(healthy, tmp_path)
        ).stdout.decode()
        assert healthy.api_key not in out and ("AQ.…" in out or "AQ.\\u2026" in out)
    broken = gemini_emulator("service_disabled")
    fixed = invoke_cli("fix", "--endpoint", broken.url, env=user_env(broken, tmp_path))
    assert fixed.returncode == 1
    assert (
        "gcloud services enable generativelanguage.googleapis.com --project=acme-prod"
        in fixed.stdout.decode()
    )
    assert httpx.get(f"{broken.url}/_emulator/stats").json()["mutations"] == 0
