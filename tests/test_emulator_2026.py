"""The emulator as Google answers in late 2026, judged by the real google-genai client: key kinds and
cutoffs, credentials sent the wrong way, 402 prepay, Vertex billing, model lifecycle, us/eu hosts."""

import httpx
import pytest
from google import genai
from google.genai import errors, types

from emulator_clients import call, google_credentials
from gemini_doctor.emulator.scenarios import (
    APP_SA,
    KEY,
    MODEL,
    STANDARD_KEY,
    scenario_world,
)

GEMINI_API = "generativelanguage.googleapis.com"


def _gemini(emu, key=None, **options):
    return genai.Client(
        api_key=key or emu.api_key, http_options=types.HttpOptions(base_url=emu.url, **options)
    )


def _raises(fn) -> errors.APIError:
    with pytest.raises(errors.APIError) as caught:
        fn()
    return caught.value


def _reason(exc: errors.APIError) -> str | None:
    details = (exc.details or {}).get("error", {}).get("details", [])
    return next((d["reason"] for d in details if d.get("@type", "").endswith("ErrorInfo")), None)


def _standard_key_world(today: str, restricted: bool) -> dict:
    world = scenario_world("api_key_retired")
    world["today"] = today
    if restricted:
        world["api_keys"][0]["restrictions"] = {"api_targets": [GEMINI_API]}
    return world


@pytest.mark.parametrize(
    ("today", "restricted", "answer"),
    [
        ("2026-06-18", False, None),  # before the first cutoff: still works
        (
            "2026-07-15",
            False,
            (401, "ACCESS_TOKEN_TYPE_UNSUPPORTED"),
        ),  # unrestricted standard keys refused from 06-19
        ("2026-07-15", True, None),  # a restricted one still works until September
        ("2026-12-01", True, (400, "API_KEY_INVALID")),  # every standard key refused from September
    ],
)
def test_standard_keys_against_the_cutoffs(gemini_emulator, today, restricted, answer):
    emu = gemini_emulator(_standard_key_world(today, restricted))
    sdk = _gemini(emu, STANDARD_KEY)
    if answer is None:
        assert sdk.models.generate_content(model=MODEL, contents="hi").text
        return
    exc = _raises(lambda: sdk.models.generate_content(model=MODEL, contents="hi"))
    assert (exc.code, _reason(exc)) == answer
    if exc.code == 401:
        assert "Expected OAuth 2 access token" in exc.message


def test_auth_keys_ignore_the_cutoffs(gemini_emulator):
    assert _gemini(gemini_emulator("healthy")).models.generate_content(model=MODEL, contents="hi").text


def test_a_key_sent_as_bearer_and_two_credentials(gemini_emulator):
    emu = gemini_emulator("healthy")
    as_bearer = httpx.get(f"{emu.url}/v1beta/models", headers={"authorization": f"Bearer {KEY}"})
    body = as_bearer.json()["error"]
    assert as_bearer.status_code == 401 and body["details"][0]["reason"] == "ACCESS_TOKEN_TYPE_UNSUPPORTED"
    assert body["details"][0]["metadata"]["service"] == GEMINI_API
    both = _gemini(
        emu, headers={"authorization": f"Bearer {KEY}"}
    )  # a proxy adding a Bearer header to the key
    exc = _raises(lambda: both.models.generate_content(model=MODEL, contents="hi"))
    assert (
        exc.code == 400
        and exc.message == "Multiple authentication credentials received. Please pass only one."
    )


def test_depleted_prepay_is_402(gemini_emulator):
    world = scenario_world("healthy")
    world["projects"][0]["billing"] = "prepay_depleted"
    exc = _raises(lambda: call(gemini_emulator(world)))
    assert (
        exc.code == 402
        and exc.status == "RESOURCE_EXHAUSTED"
        and "prepayment credits are depleted" in exc.message
    )


@pytest.mark.parametrize("billing", ["none", "disabled"])
def test_vertex_oauth_needs_billing_express_does_not(gemini_emulator, billing):
    world = scenario_world("healthy")
    world["projects"][0]["billing"] = billing
    world["client"].update(surface="vertex", api_key=None, principal=APP_SA)
    exc = _raises(lambda: call(gemini_emulator(world)))
    assert exc.code == 403 and _reason(exc) == "BILLING_DISABLED"
    assert (exc.details["error"]["details"][0]["metadata"]["service"]) == "aiplatform.googleapis.com"


def test_agent_platform_title(gemini_emulator):
    world = scenario_world("healthy")
    world["projects"][0]["services"] = [GEMINI_API]
    world["client"].update(surface="vertex", api_key=None, principal=APP_SA)
    exc = _raises(lambda: call(gemini_emulator(world)))
    assert exc.message.startswith("Agent Platform API has not been used in project")


def test_an_ai_studio_key_on_vertex_express_is_blocked_by_its_restriction(gemini_emulator):
    emu = gemini_emulator("healthy")
    sdk = genai.Client(vertexai=True, api_key=emu.api_key, http_options=types.HttpOptions(base_url=emu.url))
    exc = _raises(lambda: sdk.models.generate_content(model=MODEL, contents="hi"))
    assert exc.code == 403 and _reason(exc) == "API_KEY_SERVICE_BLOCKED"
    assert exc.message == (
        "Requests to this API aiplatform.googleapis.com method "
        "google.cloud.aiplatform.v1beta1.PredictionService.GenerateContent are blocked."
    )


def test_model_lifecycle(gemini_emulator):
    world = scenario_world("healthy")
    sdk = _gemini(gemini_emulator(world))
    closed = _raises(lambda: sdk.models.generate_content(model="gemini-2.5-flash-lite", contents="hi"))
    assert (
        closed.code == 404
        and "models/gemini-2.5-flash-lite is no longer available to new users" in closed.message
    )
    retired = _raises(lambda: sdk.models.generate_content(model="gemini-2.0-flash", contents="hi"))
    assert "This model models/gemini-2.0-flash is no longer available. Please update" in retired.message
    listed = {m.name for m in sdk.models.list()}
    assert f"models/{MODEL}" in listed and "models/gemini-2.5-flash-lite" not in listed
    world["models"][4]["used_by"] = ["acme-prod"]  # a project that used it before it closed
    assert world["models"][4]["name"] == "gemini-2.5-flash-lite"
    assert (
        _gemini(gemini_emulator(world))
        .models.generate_content(model="gemini-2.5-flash-lite", contents="hi")
        .text
    )


@pytest.mark.parametrize(
    ("location", "served"), [("global", True), ("us", True), ("eu", True), ("us-west1", False)]
)
def test_vertex_locations_with_the_hosts_google_genai_builds(gemini_emulator, location, served):
    world = scenario_world("healthy")
    world["client"].update(surface="vertex", api_key=None, principal=APP_SA, location=location)
    emu = gemini_emulator(world)
    if served:
        assert call(emu).text
    else:
        assert _raises(lambda: call(emu)).code == 404


@pytest.mark.parametrize(
    ("host", "code"),
    [
        ("eu-aiplatform.googleapis.com", 400),
        ("us-central-aiplatform.googleapis.com", 400),
        ("aiplatform.asia.rep.googleapis.com", 400),
        ("global-aiplatform.googleapis.com", 404),
        ("aiplatform.eu.rep.googleapis.com", 200),
    ],
)
def test_hosts_google_does_not_serve(gemini_emulator, host, code):
    emu = gemini_emulator(scenario_world("healthy"))
    emu.client["principal"] = APP_SA
    credentials = google_credentials(emu)
    from google.auth.transport.requests import Request

    credentials.refresh(Request())
    location = "eu" if ".eu." in host else "us-central1"
    answer = httpx.post(
        f"{emu.url}/v1beta1/projects/acme-prod/locations/{location}/publishers/google/models/{MODEL}:countTokens",
        headers={"host": host, "authorization": f"Bearer {credentials.token}"},
        json={"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
    )
    assert answer.status_code == code
    if code == 400:
        assert answer.json()["error"]["message"] == f"Invalid hostname: {host}"
    if code == 404:
        assert "Error 404 (Not Found)!!1" in answer.text


def test_billing_accounts_and_linking_one(gemini_emulator):
    world = scenario_world("healthy")
    world["projects"][0].update(billing="none", billing_account=None)
    world["projects"][0]["iam"].append({"role": "roles/owner", "members": ["user:dev@example.com"]})
    emu = gemini_emulator(world)
    emu.client["principal"] = "dev@example.com"
    credentials = google_credentials(emu)
    from google.auth.transport.requests import Request

    credentials.refresh(Request())
    http = httpx.Client(base_url=emu.url, headers={"authorization": f"Bearer {credentials.token}"})
    assert http.get("/v1/projects/acme-prod/billingInfo").json() == {
        "name": "projects/acme-prod/billingInfo",
        "projectId": "acme-prod",
        "billingEnabled": False,
    }
    assert [a["name"] for a in http.get("/v1/billingAccounts").json()["billingAccounts"]] == [
        "billingAccounts/01A2B3-C4D5E6-F7A8B9"
    ]
    linked = http.put(
        "/v1/projects/acme-prod/billingInfo",
        json={"billingAccountName": "billingAccounts/01A2B3-C4D5E6-F7A8B9"},
    )
    assert linked.json()["billingEnabled"] is True and emu.stats()["mutations"] == 1
    refused = http.put(
        "/v1/projects/acme-prod/billingInfo",
        json={"billingAccountName": "billingAccounts/000000-000000-000000"},
    )
    assert refused.status_code == 403
