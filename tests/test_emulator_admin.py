"""Admin APIs: Service Usage, Resource Manager (etag), Billing, API Keys, tokeninfo, faults."""

import httpx
import pytest

from emulator_clients import google_credentials
from gemini_doctor.emulator.scenarios import KEY, MODEL, scenario_world


def _session(emu, principal="dev@example.com"):
    emu.client["principal"] = principal
    creds = google_credentials(emu)
    from google.auth.transport.requests import Request

    creds.refresh(Request())
    return httpx.Client(base_url=emu.url, headers={"authorization": f"Bearer {creds.token}"}), creds.token


def test_read_only_probes(gemini_emulator):
    emu = gemini_emulator("service_disabled")
    http, token = _session(emu)
    service = http.get("/v1/projects/acme-prod/services/generativelanguage.googleapis.com").json()
    assert service["state"] == "DISABLED" and service["parent"] == "projects/123456789012"
    assert http.get("/v1/projects/acme-prod/billingInfo").json()["billingEnabled"] is True
    assert (
        http.get("/v2/keys:lookupKey", params={"keyString": KEY}).json()["parent"] == "projects/123456789012"
    )
    granted = http.post(
        "/v1/projects/acme-prod:testIamPermissions",
        json={"permissions": ["aiplatform.endpoints.predict", "resourcemanager.projects.setIamPolicy"]},
    ).json()
    assert granted == {"permissions": ["aiplatform.endpoints.predict"]}
    assert http.get("/v3/projects/acme-prod").json()["projectId"] == "acme-prod"
    info = httpx.get(f"{emu.url}/tokeninfo", params={"access_token": token}).json()
    assert info["email"] == "dev@example.com" and "cloud-platform" in info["scope"]
    denied = http.get("/v3/projects/shared-billing")
    assert (
        denied.status_code == 403
        and denied.json()["error"]["details"][0]["domain"] == "cloudresourcemanager.googleapis.com"
    )
    assert emu.stats()["mutations"] == 0


def test_enable_is_an_operation_and_counts_a_mutation(gemini_emulator):
    world = scenario_world("service_disabled")
    world["projects"][0]["iam"].append({"role": "roles/owner", "members": ["user:dev@example.com"]})
    emu = gemini_emulator(world)
    http, _ = _session(emu)
    op = http.post("/v1/projects/acme-prod/services/generativelanguage.googleapis.com:enable", json={}).json()
    assert op["name"].startswith("operations/")
    assert http.get(f"/v1/{op['name']}").json()["done"] is True
    assert emu.stats()["mutations"] == 1
    answer = httpx.post(
        f"{emu.url}/v1beta/models/{MODEL}:generateContent", headers={"x-goog-api-key": KEY}, json={}
    )
    assert answer.status_code == 200


def test_set_iam_policy_honours_etag(gemini_emulator):
    world = scenario_world("healthy")
    world["projects"][0]["iam"].append(
        {"role": "roles/resourcemanager.projectIamAdmin", "members": ["user:dev@example.com"]}
    )
    emu = gemini_emulator(world)
    http, _ = _session(emu)
    policy = http.post(
        "/v1/projects/acme-prod:getIamPolicy", json={"options": {"requestedPolicyVersion": 3}}
    ).json()
    first = dict(
        policy, bindings=policy["bindings"] + [{"role": "roles/viewer", "members": ["user:a@example.com"]}]
    )
    assert http.post("/v1/projects/acme-prod:setIamPolicy", json={"policy": first}).status_code == 200
    stale = http.post("/v1/projects/acme-prod:setIamPolicy", json={"policy": policy})
    assert stale.status_code == 409 and stale.json()["error"]["status"] == "ABORTED"
    assert emu.stats()["mutations"] == 1


@pytest.mark.parametrize("kind, status", [("http_500", 500), ("http_503", 503)])
def test_faults_answer_as_google_does(gemini_emulator, kind, status):
    world = scenario_world("healthy")
    world["faults"] = [{"path_contains": "billingInfo", "kind": kind, "rate": 1.0}]
    emu = gemini_emulator(world)
    http, _ = _session(emu)
    assert http.get("/v1/projects/acme-prod/billingInfo").status_code == status
    assert http.get("/v1/projects/acme-prod/services/aiplatform.googleapis.com").status_code == 200


def test_reset_fault_breaks_the_connection(gemini_emulator):
    world = scenario_world("healthy")
    world["faults"] = [{"path_contains": "billingInfo", "kind": "reset"}]
    emu = gemini_emulator(world)
    http, _ = _session(emu)
    with pytest.raises(httpx.TransportError):
        http.get("/v1/projects/acme-prod/billingInfo")
