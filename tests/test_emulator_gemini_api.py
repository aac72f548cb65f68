"""Fidelity: the real google-genai client against every built-in scenario of the emulator."""

import httpx
import pytest
from google import genai
from google.genai import errors, types

from gemini_doctor import explain
from gemini_doctor.emulator.scenarios import scenario_names
from gemini_doctor.emulator.testing import gemini_emulator  # noqa: F401 - the fixture under test
from gemini_doctor.emulator.world import WorldError, load_world

# What the SDK must raise for each scenario: HTTP code, status, ErrorInfo reason (None: no ErrorInfo).
EXPECTED = {
    "credentials_missing": (403, "PERMISSION_DENIED", None),
    "api_key_invalid": (400, "INVALID_ARGUMENT", "API_KEY_INVALID"),
    "api_key_expired": (400, "INVALID_ARGUMENT", "API_KEY_INVALID"),
    "api_key_leaked": (403, "PERMISSION_DENIED", None),
    "api_key_suspended": (403, "PERMISSION_DENIED", "CONSUMER_SUSPENDED"),
    "api_key_api_restricted": (403, "PERMISSION_DENIED", "API_KEY_SERVICE_BLOCKED"),
    "api_key_referrer_restricted": (403, "PERMISSION_DENIED", "API_KEY_HTTP_REFERRER_BLOCKED"),
    "api_key_ip_restricted": (403, "PERMISSION_DENIED", "API_KEY_IP_ADDRESS_BLOCKED"),
    "api_key_app_restricted": (403, "PERMISSION_DENIED", "API_KEY_ANDROID_APP_BLOCKED"),
    "wrong_surface": (403, "PERMISSION_DENIED", None),
    "service_disabled": (403, "PERMISSION_DENIED", "SERVICE_DISABLED"),
    "billing_disabled": (403, "PERMISSION_DENIED", "BILLING_DISABLED"),
    "billing_required": (400, "FAILED_PRECONDITION", None),
    "wrong_project": (403, "PERMISSION_DENIED", "CONSUMER_INVALID"),
    "project_denied": (403, "PERMISSION_DENIED", None),
    "location_unsupported": (400, "FAILED_PRECONDITION", None),
    "model_not_found": (404, "NOT_FOUND", None),
    "model_access_restricted": (403, "PERMISSION_DENIED", None),
    "quota_limit_zero": (429, "RESOURCE_EXHAUSTED", None),
    "quota_exhausted": (429, "RESOURCE_EXHAUSTED", None),
    "google_incident": (503, "UNAVAILABLE", None),
}
# Causes whose text alone cannot settle them: explain must rank them, check tells them apart live.
NEEDS_LIVE_CHECK = {"model_access_restricted"}


def _call(emu, calls=1):
    client = genai.Client(api_key=emu.api_key or "unused", http_options=types.HttpOptions(base_url=emu.url, api_version="v1beta"))
    if emu.api_key is None:  # no key at all: what a proxy that dropped the key sends
        return httpx.post(f"{emu.url}/v1beta/models/{emu.model}:generateContent", json={"contents": []})
    for _ in range(calls):
        response = client.models.generate_content(model=emu.model, contents="hi")
    return response


def test_every_scenario_is_covered():
    assert set(scenario_names()) == set(EXPECTED) | {"healthy"}


def test_healthy(gemini_emulator):
    emu = gemini_emulator("healthy")
    assert _call(emu).text == "Hello from the gemini-doctor emulator."


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_scenario_fidelity_and_explain(gemini_emulator, scenario):
    from gemini_doctor.emulator.scenarios import scenario_world

    emu = gemini_emulator(scenario)
    code, status, reason = EXPECTED[scenario]
    calls = scenario_world(scenario)["client"]["calls"]
    if emu.api_key is None:
        response = _call(emu)
        assert response.status_code == code and response.json()["error"]["status"] == status
        diagnosis = explain(response)
    else:
        with pytest.raises(errors.APIError) as caught:
            _call(emu, calls)
        exc = caught.value
        assert (exc.code, exc.status) == (code, status)
        infos = [d for d in exc.details["error"].get("details", []) if d["@type"].endswith("ErrorInfo")]
        assert (infos[0]["reason"] if infos else None) == reason
        diagnosis = explain(str(exc))   # what a user pastes: the exception text
    ranked = [c.cause.id for c in diagnosis.causes]
    if scenario in NEEDS_LIVE_CHECK:
        assert scenario in ranked[:3] and not diagnosis.settled
    else:
        assert ranked[0] == scenario, ranked


def test_stats_count_requests(gemini_emulator):
    emu = gemini_emulator("healthy")
    _call(emu)
    assert httpx.get(f"{emu.url}/_emulator/stats").json() == {"requests": 1, "mutations": 0}
    httpx.post(f"{emu.url}/_emulator/reset")
    assert httpx.get(f"{emu.url}/_emulator/stats").json()["requests"] == 0


def test_bad_requests_get_google_shapes(gemini_emulator):
    emu = gemini_emulator("healthy")
    key = {"x-goog-api-key": emu.api_key}
    bad_json = httpx.post(f"{emu.url}/v1beta/models/gemini-2.5-flash:generateContent", content=b"[", headers=key)
    assert bad_json.status_code == 400 and bad_json.json()["error"]["status"] == "INVALID_ARGUMENT"
    unknown = httpx.get(f"{emu.url}/nowhere")
    assert unknown.status_code == 404 and unknown.json()["error"]["status"] == "NOT_FOUND"


@pytest.mark.parametrize("text, needle", [
    ("projects:\n  - id: p\n", "projects[0].number: is required (line 2)"),
    ("projects:\n  - id: p\n    number: x\n", "projects[0].number: must be of type int"),
    ("projects:\n  - id: p\n    number: 1\n    billing: maybe\n", "projects[0].billing: must be one of"),
    ("caller: {}\ncaller: {}\n", "line 2: duplicate key 'caller'"),
    ("api_keys:\n  - key: k\n    name: n\n    project: p\n    state: lost\n", "api_keys[0].state: must be one of"),
    ("[1, 2]\n", "mapping at the top level"),
])
def test_bad_worlds_fail_at_load_naming_field_and_line(tmp_path, text, needle):
    path = tmp_path / "world.yaml"
    path.write_text(text)
    with pytest.raises(WorldError, match=None) as caught:
        load_world(path)
    assert needle in str(caught.value)
