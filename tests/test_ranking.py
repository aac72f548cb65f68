"""The cross-signals issue 2 names: the text settles these, and the engine must say so."""

import json

import pytest

from gemini_doctor import explain


def _body(code, status, message, reason=None, **metadata):
    error = {"code": code, "status": status, "message": message}
    if reason:
        error["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": metadata,
            }
        ]
    return json.dumps({"error": error})


def _ranked(text):
    return [c.cause.id for c in explain(text).causes]


@pytest.mark.parametrize("project", ["YOUR-PROJECT-ID", "default", "My First Project", "PROJECT_ID"])
def test_placeholder_or_display_name_project_the_request_sent_is_wrong_project(project):
    text = _body(
        403,
        "PERMISSION_DENIED",
        f"Permission denied on resource project {project}.",
        "CONSUMER_INVALID",
        consumer=f"projects/{project}",
        service="aiplatform.googleapis.com",
    )
    assert _ranked(text)[0] == "wrong_project"


@pytest.mark.parametrize(
    "project", ["YOUR-PROJECT-ID", "My First Project", "XXXXXXXXXXXX", "<project>", "***"]
)
def test_placeholder_in_googles_consumer_field_is_a_posters_edit_not_evidence(project):
    text = _body(
        403,
        "PERMISSION_DENIED",
        f"Vertex AI API has not been used in project {project} before or it is disabled.",
        "SERVICE_DISABLED",
        consumer=f"projects/{project}",
        service="aiplatform.googleapis.com",
    )
    diagnosis = explain(text)
    assert diagnosis.top.cause.id == "service_disabled" and "wrong_project" not in _ranked(text)
    assert diagnosis.record.project is None


def test_redacted_project_never_outranks_an_exact_key_restriction():
    text = _body(
        403,
        "PERMISSION_DENIED",
        "Requests from referer <empty> are blocked.",
        "API_KEY_HTTP_REFERRER_BLOCKED",
        consumer="projects/XXXXXXXXXXXX",
        service="generativelanguage.googleapis.com",
    )
    diagnosis = explain(text)
    assert diagnosis.top.cause.id == "api_key_referrer_restricted" and diagnosis.settled


def test_ai_studio_project_on_vertex_leaves_both_causes_open():
    text = _body(
        403,
        "PERMISSION_DENIED",
        "Vertex AI API has not been used in project gen-lang-client-0123456789 before or it is disabled.",
        "SERVICE_DISABLED",
        consumer="projects/gen-lang-client-0123456789",
        service="aiplatform.googleapis.com",
    )
    diagnosis = explain(text)
    assert _ranked(text)[:2] == ["service_disabled", "wrong_project"] and not diagnosis.settled


def test_a_real_project_id_under_service_disabled_stays_service_disabled():
    text = _body(
        403,
        "PERMISSION_DENIED",
        "Vertex AI API has not been used in project acme-prod-42 before or it is disabled.",
        "SERVICE_DISABLED",
        consumer="projects/acme-prod-42",
        service="aiplatform.googleapis.com",
    )
    assert _ranked(text)[0] == "service_disabled"


def test_limit_zero_is_not_plain_exhaustion():
    assert (
        _ranked("429 RESOURCE_EXHAUSTED Quota exceeded for metric: x, limit: 0, model: gemini-2.5-pro")[0]
        == "quota_limit_zero"
    )
    assert (
        _ranked("429 RESOURCE_EXHAUSTED Quota exceeded for metric: x, limit: 60, model: gemini-2.5-pro")[0]
        == "quota_exhausted"
    )


@pytest.mark.parametrize(
    "text",
    [
        "401 UNAUTHENTICATED API keys are not supported by this API. Expected OAuth2 access token",
        "Generative Language API (Staging) has not been used in project 1 before or it is disabled.",
    ],
)
def test_wrong_surface_signals(text):
    assert _ranked(text)[0] == "wrong_surface"


def test_bare_denial_gives_ranked_candidates_each_with_its_live_check():
    result = explain(
        '{"error": {"code": 403, "message": "The caller does not have permission", "status": '
        '"PERMISSION_DENIED"}}'
    ).to_dict()
    ids = [c["id"] for c in result["causes"]]
    assert {"model_access_restricted", "iam_permission_missing", "google_incident"} <= set(ids[:3])
    assert not result["settled"] and "gemini-doctor check" in result["next_step"]
    assert all(c["checks"] for c in result["causes"])


def test_retry_advice_follows_the_contract():
    assert explain("429 RESOURCE_EXHAUSTED Quota exceeded, limit: 60").top.cause.retry == "yes"
    assert explain("API key not valid. Please pass a valid API key.").top.cause.retry == "after_fix"
    assert explain("models/gemini-pro is not found for API version v1").top.cause.retry == "no"


@pytest.mark.parametrize(
    "permission, role",
    [
        ("aiplatform.endpoints.predict", "roles/aiplatform.user"),
        ("iam.serviceAccounts.getAccessToken", "roles/iam.serviceAccountTokenCreator"),  # impersonation
    ],
)
def test_the_fix_grants_the_role_that_carries_the_missing_permission(permission, role):
    body = {
        "error": {
            "code": 403,
            "status": "PERMISSION_DENIED",
            "message": f"Permission '{permission}' denied on resource (or it may not exist).",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "IAM_PERMISSION_DENIED",
                    "domain": "iam.googleapis.com",
                    "metadata": {"permission": permission},
                }
            ],
        }
    }
    cause = explain(json.dumps(body)).to_dict()["causes"][0]
    assert cause["id"] == "iam_permission_missing"
    assert f"--role={role} " in cause["fix"][0]["command"] + " " and role in cause["why"]
