"""explain for Google as of late 2026: honest `settled`, the model lifecycle by date, fixes that fit."""

import json

import pytest

from gemini_doctor import explain
from gemini_doctor.catalogue import CatalogueError, load_catalogue

TOKEN_TYPE_401 = json.dumps(
    {
        "error": {
            "code": 401,
            "status": "UNAUTHENTICATED",
            "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
            "cookie or other valid authentication credential. See "
            "https://developers.google.com/identity/sign-in/web/devconsole-project.",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "ACCESS_TOKEN_TYPE_UNSUPPORTED",
                    "metadata": {
                        "method": "google.ai.generativelanguage.v1beta.GenerativeService.GenerateContent",
                        "service": "generativelanguage.googleapis.com",
                    },
                }
            ],
        }
    }
)


def _ids(diagnosis):
    return [c.cause.id for c in diagnosis.causes]


def _fix(diagnosis, n=0):
    return " ".join(" ".join(filter(None, s.values())) for s in diagnosis.to_dict()["causes"][n]["fix"])


def test_key_type_401_is_a_key_problem_left_open_never_an_oauth_sign_in():
    diagnosis = explain(TOKEN_TYPE_401)
    assert _ids(diagnosis)[:2] in (
        ["api_key_retired", "credential_sent_wrong"],
        ["credential_sent_wrong", "api_key_retired"],
    )
    assert not diagnosis.settled
    assert "application-default login" not in _fix(diagnosis)


def test_a_key_seen_as_bearer_settles_it():
    diagnosis = explain(f"curl -H 'Authorization: Bearer AIza{'x1' * 18}' ...\n{TOKEN_TYPE_401}")
    assert diagnosis.top.cause.id == "credential_sent_wrong" and diagnosis.settled


def test_the_same_words_on_agent_platform_are_an_oauth_token_problem():
    text = (
        "401 Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
        "other valid authentication credential. POST "
        "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/"
        "us-central1/publishers/google/models/gemini-3.5-flash:generateContent"
    )
    assert explain(text).top.cause.id == "access_token_invalid"


def test_an_aq_key_is_not_taken_for_a_vertex_key():
    text = (
        f"400 API key not valid. Please pass a valid API key. key=AQ.{'Ab8R' * 8} "
        "generativelanguage.googleapis.com"
    )
    diagnosis = explain(text)
    assert diagnosis.record.token_kind == "auth_key" and "wrong_surface" not in _ids(diagnosis)


def test_a_bare_429_is_not_settled_a_counted_one_is():
    assert not explain("429 Resource has been exhausted (e.g. check quota).").settled
    counted = explain(
        "429 RESOURCE_EXHAUSTED Quota exceeded for metric: generate_content_free_tier_requests, limit: 20"
    )
    assert counted.top.cause.id == "quota_exhausted" and counted.settled


def test_402_is_billing_and_never_a_retry():
    text = (
        'HTTP/1.1 402 Payment Required\n{"error":{"code":402,"message":"Your prepayment credits are '
        "depleted. Please go to AI Studio at https://ai.studio/projects to manage your project and "
        'billing.","status":"RESOURCE_EXHAUSTED"}}'
    )
    diagnosis = explain(text)
    assert diagnosis.top.cause.id == "billing_disabled" and diagnosis.top.cause.retry != "yes"
    assert all(c.confidence < 0.3 for c in diagnosis.causes if c.cause.id == "quota_exhausted")


@pytest.mark.parametrize(
    "title", ["Agent Platform API", "Gemini Enterprise Agent Platform API", "Vertex AI API"]
)
def test_an_api_title_names_its_service(title):
    diagnosis = explain(f"403 {title} has not been used in project 176867167810 before or it is disabled.")
    assert diagnosis.record.service == "aiplatform.googleapis.com"
    assert "gcloud services enable aiplatform.googleapis.com --project=176867167810" in _fix(diagnosis)


def test_never_enable_an_api_in_googles_project_for_code_assist():
    text = (
        "Cloud Code Private API has not been used in project 687891839131 before or it is disabled. "
        "Enable it by visiting https://console.developers.google.com/apis/api/cloudcode-pa.googleapis.com/overview"
        "?project=687891839131"
    )
    diagnosis = explain(text)
    assert diagnosis.top.cause.id == "service_disabled" and diagnosis.record.surface == "code-assist"
    assert "services enable" not in _fix(diagnosis) and "GOOGLE_CLOUD_PROJECT" in _fix(diagnosis)


PUBLISHER_404 = (
    "404 Publisher Model `projects/acme/locations/us-central1/publishers/google/models/gemini-2.5-flash` "
    "was not found or your project does not have access to it."
)


def test_the_lifecycle_decides_by_the_date(monkeypatch):
    monkeypatch.setenv("GEMINI_DOCTOR_TODAY", "2026-12-01")  # 2.5 shut down on Agent Platform
    now = explain(PUBLISHER_404)
    assert now.top.cause.id == "model_not_found" and "gemini-3.5-flash" in _fix(now)
    monkeypatch.setenv("GEMINI_DOCTOR_TODAY", "2025-10-01")  # still served then: the region is the question
    assert explain(PUBLISHER_404).top.cause.id == "model_not_in_region"


def test_a_preview_outside_global_is_the_location():
    text = (
        "404 Publisher Model "
        "`projects/acme/locations/us-central1/publishers/google/models/gemini-3-flash-preview` was not found "
        "or your project does not have access to it."
    )
    diagnosis = explain(text)
    assert diagnosis.top.cause.id == "model_not_in_region" and diagnosis.settled
    assert "not_at_location" in diagnosis.record.model_status


@pytest.mark.parametrize(
    "model",
    ["gemini-3-flash-preview-09-2025-search", "gemini-2.0-flash-001-nothinking", "gemini-exp-1206-max"],
)
def test_a_proxy_alias_after_the_date_stamp_is_the_name_not_the_location(model):
    text = (
        f"404 Publisher Model `projects/acme/locations/us-central1/publishers/google/models/{model}` "
        "was not found or your project does not have access to it."
    )
    assert _ids(explain(text))[:2] == ["model_not_found", "model_not_in_region"]


def test_a_retired_model_fix_names_its_replacement():
    text = (
        '{"error":{"code":404,"message":"This model models/gemini-3-pro-preview is no longer available. '
        "Please update your code to use a newer model for the latest features and "
        'improvements.","status":"NOT_FOUND"}}'
    )
    diagnosis = explain(text)
    assert diagnosis.top.cause.id == "model_not_found" and "gemini-3.1-pro-preview" in _fix(diagnosis)


def test_the_reset_delay_is_named():
    text = json.dumps(
        {
            "error": {
                "code": 429,
                "status": "RESOURCE_EXHAUSTED",
                "message": "You have exhausted your capacity on this model.",
                "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "21599.96s"}],
            }
        }
    )
    diagnosis = explain(text)
    assert diagnosis.record.retry_after == "5h59m59s" and "5h59m59s" in _fix(diagnosis)


def test_box_borders_of_a_terminal_ui_do_not_break_a_message():
    text = (
        '{"error":{"code":401,"message":"API keys are not supported by     │\n'
        '│    this API. Expected OAuth2 access token","status":"UNAUTHENTICATED"}}'
    )
    assert explain(text).top.cause.id == "wrong_surface"


def test_a_fix_condition_must_name_a_record_field(tmp_path):
    (tmp_path / "unknown.toml").write_text('title = "t"\nwhy = "w"\nretry = "no"\n')
    (tmp_path / "x.toml").write_text(
        'title = "t"\nwhy = "w"\nretry = "no"\n[[fix]]\nstep = "s"\nwhen = { colour = "red" }\n'
    )
    load_catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match="colour"):
            load_catalogue(str(tmp_path))
    finally:
        load_catalogue.cache_clear()
