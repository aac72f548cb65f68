"""Fidelity: real SDKs against every built-in scenario; explain must name the cause from what they raise."""

import httpx
import pytest
import requests
from google.api_core import exceptions as core_exceptions
from google.auth import exceptions as auth_exceptions
from google.genai import errors

from emulator_clients import call
from gemini_doctor import explain
from gemini_doctor.emulator.scenarios import KEY, MODEL, scenario_cause, scenario_names

# scenario -> (HTTP code, status, ErrorInfo reason, ErrorInfo domain);
# code None = fails before HTTP (token refresh)
EXPECTED = {
    "credentials_missing": (403, "PERMISSION_DENIED", None, None),
    "api_key_invalid": (400, "INVALID_ARGUMENT", "API_KEY_INVALID", "googleapis.com"),
    "api_key_expired": (400, "INVALID_ARGUMENT", "API_KEY_INVALID", "googleapis.com"),
    "api_key_leaked": (403, "PERMISSION_DENIED", None, None),
    "api_key_suspended": (403, "PERMISSION_DENIED", "CONSUMER_SUSPENDED", "googleapis.com"),
    "api_key_api_restricted": (403, "PERMISSION_DENIED", "API_KEY_SERVICE_BLOCKED", "googleapis.com"),
    "api_key_referrer_restricted": (
        403,
        "PERMISSION_DENIED",
        "API_KEY_HTTP_REFERRER_BLOCKED",
        "googleapis.com",
    ),
    "api_key_ip_restricted": (403, "PERMISSION_DENIED", "API_KEY_IP_ADDRESS_BLOCKED", "googleapis.com"),
    "api_key_app_restricted": (403, "PERMISSION_DENIED", "API_KEY_ANDROID_APP_BLOCKED", "googleapis.com"),
    "api_key_retired": (400, "INVALID_ARGUMENT", "API_KEY_INVALID", "googleapis.com"),
    "credential_sent_wrong": (400, "INVALID_ARGUMENT", None, None),
    "endpoint_invalid": (400, "INVALID_ARGUMENT", None, None),
    "access_token_invalid": (None, None, None, None),
    "scope_insufficient": (403, "PERMISSION_DENIED", "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "googleapis.com"),
    "wrong_surface": (403, "PERMISSION_DENIED", None, None),
    "service_disabled": (403, "PERMISSION_DENIED", "SERVICE_DISABLED", "googleapis.com"),
    "billing_disabled": (403, "PERMISSION_DENIED", "BILLING_DISABLED", "googleapis.com"),
    "billing_required": (400, "FAILED_PRECONDITION", None, None),
    "wrong_project": (403, "PERMISSION_DENIED", "CONSUMER_INVALID", "googleapis.com"),
    "quota_project_missing": (403, "PERMISSION_DENIED", "SERVICE_DISABLED", "googleapis.com"),
    "quota_project_denied": (403, "PERMISSION_DENIED", "USER_PROJECT_DENIED", "googleapis.com"),
    "iam_permission_missing": (
        403,
        "PERMISSION_DENIED",
        "IAM_PERMISSION_DENIED",
        "aiplatform.googleapis.com",
    ),
    "iam_deny_policy": (403, "PERMISSION_DENIED", "IAM_PERMISSION_DENIED", "aiplatform.googleapis.com"),
    "iam_permission_missing_unlogged": (
        403,
        "PERMISSION_DENIED",
        "IAM_PERMISSION_DENIED",
        "aiplatform.googleapis.com",
    ),
    "resource_permission": (403, "PERMISSION_DENIED", None, None),
    "project_denied": (403, "PERMISSION_DENIED", None, None),
    "org_policy": (403, "PERMISSION_DENIED", None, None),
    "vpc_service_controls": (403, "PERMISSION_DENIED", "SECURITY_POLICY_VIOLATED", "googleapis.com"),
    "model_access_restricted": (403, "PERMISSION_DENIED", None, None),
    "location_unsupported": (400, "FAILED_PRECONDITION", None, None),
    "model_not_in_region": (404, "NOT_FOUND", None, None),
    "model_not_found": (404, "NOT_FOUND", None, None),
    "quota_limit_zero": (429, "RESOURCE_EXHAUSTED", None, None),
    "quota_exhausted": (429, "RESOURCE_EXHAUSTED", None, None),
    "google_incident": (503, "UNAVAILABLE", None, None),
    "edge_blocked": (403, None, None, None),
}
# Causes the text alone cannot settle: explain must rank them in its top three; `check` tells them apart.
NEEDS_LIVE_CHECK = {"model_access_restricted"}
# Causes the text cannot show at all: after September 2026 a retired standard key gets the classic invalid-key
# answer, so explain names what the text says and only `check` (the key's record) tells.
TEXT_READS_AS = {"api_key_retired": "api_key_invalid"}


def test_every_scenario_is_covered():
    assert set(scenario_names()) == set(EXPECTED) | {"healthy"}


def test_healthy_on_both_surfaces(gemini_emulator):
    emu = gemini_emulator("healthy")
    assert call(emu).text == "Hello from the gemini-doctor emulator."
    emu.client.update(surface="vertex", api_key=None, principal="app@acme-prod.iam.gserviceaccount.com")
    assert call(emu).text == "Hello from the gemini-doctor emulator."


@pytest.mark.parametrize("surface", ["gemini-api", "vertex"])
def test_stream_count_tokens_and_models(gemini_emulator, surface):
    from google import genai
    from google.genai import types

    from emulator_clients import google_credentials

    emu = gemini_emulator("healthy")
    options = types.HttpOptions(base_url=emu.url)
    if surface == "vertex":
        emu.client["principal"] = "app@acme-prod.iam.gserviceaccount.com"
        sdk = genai.Client(
            vertexai=True,
            project="acme-prod",
            location="eu",
            credentials=google_credentials(emu),
            http_options=options,
        )
    else:
        sdk = genai.Client(api_key=emu.api_key, http_options=options)
    chunks = list(sdk.models.generate_content_stream(model=MODEL, contents="hi there"))
    assert "".join(c.text for c in chunks) == "Hello from the gemini-doctor emulator."
    assert sdk.models.count_tokens(model=MODEL, contents="one two three").total_tokens == 3
    assert sdk.models.get(model=MODEL).name.endswith(MODEL)
    if surface == "gemini-api":
        assert any(m.name == "models/" + MODEL for m in sdk.models.list())


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_scenario_fidelity_and_explain(gemini_emulator, scenario):
    emu = gemini_emulator(scenario)
    code, status, reason, domain = EXPECTED[scenario]
    raised = _raised(emu)
    if code is None:
        assert isinstance(raised, auth_exceptions.RefreshError)
        text = str(raised)
    elif isinstance(raised, errors.APIError):
        assert raised.code == code and (status is None or raised.status == status)
        body = raised.details.get("error", {}) if isinstance(raised.details, dict) else {}
        infos = [d for d in body.get("details", []) if d.get("@type", "").endswith("ErrorInfo")]
        assert (infos[0]["reason"] if infos else None) == reason
        assert (infos[0]["domain"] if infos else None) == domain
        text = str(raised)  # what a user pastes: the exception text
    else:  # a plain HTTP response (no SDK for this path)
        assert raised.status_code == code
        text = raised.text
    diagnosis = explain(text)
    ranked = [c.cause.id for c in diagnosis.causes]
    if scenario in NEEDS_LIVE_CHECK:
        assert scenario in ranked[:3] and not diagnosis.settled, ranked
    else:
        assert ranked[0] == TEXT_READS_AS.get(scenario, scenario_cause(scenario)), ranked


def _raised(emu):
    try:
        response = call(emu)
    except (errors.APIError, auth_exceptions.RefreshError) as exc:
        return exc
    assert getattr(response, "text", None) != "Hello from the gemini-doctor emulator.", (
        "the call should have failed"
    )
    return response


@pytest.mark.parametrize(
    "scenario", ["service_disabled", "api_key_api_restricted", "api_key_invalid", "wrong_project"]
)
def test_google_api_core_reads_reason_domain_metadata(gemini_emulator, scenario):
    emu = gemini_emulator(scenario)
    response = requests.post(
        f"{emu.url}/v1beta/models/{MODEL}:generateContent",
        headers={"x-goog-api-key": emu.api_key},
        json={"contents": []},
    )
    exc = core_exceptions.from_http_response(response)
    assert exc.reason == EXPECTED[scenario][2] and exc.domain == "googleapis.com"
    assert exc.metadata["service"] == "generativelanguage.googleapis.com"
    assert explain(exc).causes[0].cause.id == scenario


def test_credentials_are_real_and_private(gemini_emulator):
    emu = gemini_emulator("healthy")
    for path in emu.credentials.values():
        assert path.stat().st_mode & 0o077 == 0
    env = emu.credentials["env"].read_text()
    assert (
        f"GEMINI_API_KEY={KEY}" in env
        and f"GOOGLE_GEMINI_BASE_URL={emu.url}/generativelanguage.googleapis.com" in env
    )
    assert httpx.get(f"{emu.url}/tokeninfo", params={"access_token": "ya29.bogus"}).status_code == 400


def test_stats_count_requests_and_reset(gemini_emulator):
    emu = gemini_emulator("healthy")
    call(emu)
    assert emu.stats() == {"requests": 1, "mutations": 0}
    httpx.post(f"{emu.url}/_emulator/reset")
    assert emu.stats()["requests"] == 0


def test_bad_requests_get_google_shapes(gemini_emulator):
    emu = gemini_emulator("healthy")
    bad_json = httpx.post(
        f"{emu.url}/v1beta/models/{MODEL}:generateContent",
        content=b"[",
        headers={"x-goog-api-key": emu.api_key},
    )
    assert bad_json.status_code == 400 and bad_json.json()["error"]["status"] == "INVALID_ARGUMENT"
    for method, path in (
        ("GET", "/nowhere"),
        ("POST", "/v1/projects/x:frobnicate"),
        ("DELETE", "/v1beta/models"),
    ):
        answer = httpx.request(method, emu.url + path)
        assert answer.status_code == 404 and answer.json()["error"]["status"] == "NOT_FOUND"
