"""Every input format the parser must read, built from google-apis.md §0, §10, §11."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gemini_doctor.evidence import parse_text

SERVICE_DISABLED = {
    "error": {
        "code": 403,
        "message": (
            "Generative Language API has not been used in project 445009168042 before or it is disabled."
        ),
        "status": "PERMISSION_DENIED",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [{"description": "x", "url": "https://x"}],
            },
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "SERVICE_DISABLED",
                "domain": "googleapis.com",
                "metadata": {
                    "consumer": "projects/445009168042",
                    "service": "generativelanguage.googleapis.com",
                    "containerInfo": "445009168042",
                },
            },
        ],
    }
}


def _escaped(levels: int) -> str:
    text = json.dumps(SERVICE_DISABLED)
    for _ in range(levels):
        text = json.dumps({"error": {"message": text, "code": 500}})
    return text


def _check_service_disabled(record):
    assert record.code == 403
    assert record.status == "PERMISSION_DENIED"
    assert record.reason == "SERVICE_DISABLED"
    assert record.project == "445009168042"
    assert record.service == "generativelanguage.googleapis.com"
    assert record.surface == "gemini-api"


@pytest.mark.parametrize("levels", [0, 1, 2, 3])
def test_json_body_plain_and_escaped(levels):
    _check_service_disabled(parse_text(_escaped(levels)).record)


def test_list_of_one_body_and_text_around_it():
    text = "调用失败 / la requête a échoué:\n" + json.dumps([SERVICE_DISABLED]) + "\n请帮忙"
    _check_service_disabled(parse_text(text).record)


def test_google_genai_client_error_repr():
    text = f"google.genai.errors.ClientError: 403 PERMISSION_DENIED. {SERVICE_DISABLED!r}"
    _check_service_disabled(parse_text(text).record)


def test_api_core_rest_form():
    details = SERVICE_DISABLED["error"]["details"]
    text = (
        "google.api_core.exceptions.Forbidden: 403 POST https://generativelanguage.googleapis.com/v1beta/models/"
        "gemini-1.5-flash:generateContent?%24alt=json%3Benum-encoding%3Dint: "
        f"{SERVICE_DISABLED['error']['message']} {details!r}"
    )
    record = parse_text(text).record
    assert record.reason == "SERVICE_DISABLED" and record.project == "445009168042" and record.code == 403
    assert record.message.startswith("Generative Language API has not been used")


def test_api_core_grpc_protobuf_text():
    text = (
        '400 API key not valid. Please pass a valid API key. [reason: "API_KEY_INVALID"\n'
        'domain: "googleapis.com"\nmetadata {\n  key: "service"\n'
        '  value: "generativelanguage.googleapis.com"\n}\n'
        ', locale: "en-US"\nmessage: "API key not valid. Please pass a valid API key."\n]'
    )
    record = parse_text(text).record
    assert (record.code, record.reason, record.service) == (
        400,
        "API_KEY_INVALID",
        "generativelanguage.googleapis.com",
    )
    assert record.message == "API key not valid. Please pass a valid API key."


def test_inactive_rpc_error_dump():
    text = (
        "<_InactiveRpcError of RPC that terminated with:\n\tstatus = StatusCode.FAILED_PRECONDITION\n"
        '\tdetails = "User location is not supported for the API use."\n'
        '\tdebug_error_string = "UNKNOWN:Error received from peer {grpc_status:9, '
        'grpc_message:\\"User location is not supported for the API use.\\"}"\n>'
    )
    record = parse_text(text).record
    assert record.status == "FAILED_PRECONDITION" and record.code == 400
    assert record.message == "User location is not supported for the API use."


def test_refresh_error_tuple():
    text = (
        "google.auth.exceptions.RefreshError: ('invalid_grant: Invalid JWT Signature.', {'error': "
        "'invalid_grant', 'error_description': 'Invalid JWT Signature.'})"
    )
    assert parse_text(text).record.oauth_error == "invalid_grant"


def test_sdk_wrapper_line():
    text = (
        "[GoogleGenerativeAI Error]: Error fetching from https://generativelanguage.googleapis.com/v1beta/models/"
        "gemini-2.0-flash:generateContent: [403 Forbidden] Method doesn't allow unregistered callers"
    )
    record = parse_text(text).record
    assert record.code == 403 and record.model == "gemini-2.0-flash" and record.surface == "gemini-api"


def test_vertex_iam_fields():
    text = json.dumps(
        {
            "error": {
                "code": 403,
                "status": "PERMISSION_DENIED",
                "message": (
                    "Permission 'aiplatform.endpoints.predict' denied on resource "
                    "'//aiplatform.googleapis.com/projects/acme/locations/us-central1"
                    "/publishers/google/models/gemini-2.5-pro' "
                    "(or it may not exist)."
                ),
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "IAM_PERMISSION_DENIED",
                        "domain": "aiplatform.googleapis.com",
                        "metadata": {
                            "permission": "aiplatform.endpoints.predict",
                            "resource": (
                                "projects/acme/locations/us-central1/publishers/google/models/gemini-2.5-pro"
                            ),
                        },
                    }
                ],
            }
        }
    )
    r = parse_text(text).record
    assert (r.permission, r.project, r.location, r.model, r.domain) == (
        "aiplatform.endpoints.predict",
        "acme",
        "us-central1",
        "gemini-2.5-pro",
        "aiplatform.googleapis.com",
    )
    assert r.surface == "vertex"


def test_quota_failure_fields():
    body = {
        "error": {
            "code": 429,
            "status": "RESOURCE_EXHAUSTED",
            "message": (
                "You exceeded your current quota.\n* Quota exceeded for metric: "
                "generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, "
                "model: gemini-2.5-pro"
            ),
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                    "violations": [
                        {
                            "quotaMetric": (
                                "generativelanguage.googleapis.com/generate_content_free_tier_requests"
                            ),
                            "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                            "quotaDimensions": {"location": "global", "model": "gemini-2.5-pro"},
                        }
                    ],
                }
            ],
        }
    }
    r = parse_text(json.dumps(body)).record
    assert (
        r.quota_metric.endswith("free_tier_requests") and r.quota_limit == "0" and r.model == "gemini-2.5-pro"
    )


def test_html_edge_page():
    text = (
        "<!DOCTYPE html><html lang=en><title>Error 403 (Forbidden)!!1</title><p>Your client does not "
        "have permission"
    )
    assert parse_text(text).record.code == 403


def test_key_is_masked_in_record():
    key = "AIza" + "SyCANARYcanary0123456789abcdefghijk"
    record = parse_text(
        f"POST https://generativelanguage.googleapis.com/v1beta/models/x:generateContent?key={key} 403"
    ).record
    assert record.key == "AIza…hijk"
    assert key not in json.dumps(record.to_dict())


def _lists(value):
    """A literal with tuples as lists, as JSON spells them (the body walker treats both alike)."""
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    return value


_LITERALS = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.binary(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _LITERALS, max_size=4) | st.lists(_LITERALS, max_size=4))
def test_python_literals_read_like_ast(value):
    """google-genai prints error bodies as Python reprs: the fast reader agrees with ast.literal_eval."""
    import ast

    from gemini_doctor.evidence.pyliteral import read_literal

    text = repr(value)
    found = read_literal(f"error: {text} (end)", 7)
    assert found is not None and found[1] == 7 + len(text)
    assert _lists(found[0]) == _lists(ast.literal_eval(text))


def test_values_read_by_a_folded_pattern_keep_their_span_after_wide_lower_case():
    """'İ' lowers to two characters; a value found in the lower case is still cut from the right place."""
    record = parse_text("İİİİ 403: the caller lacks permission aiplatform.endpoints.predict on it").record
    assert record.permission == "aiplatform.endpoints.predict"


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("404 models/gemini-3-pro-pre\nview is not found for API version v1beta", "gemini-3-pro-preview"),
        ("404 models/gem ini-3-pro-preview is not found for API version v1beta", "gemini-3-pro-preview"),
        ("This model models/gemini-2.5-fl\n  │ ash is no longer available to new users.", "gemini-2.5-flash"),
        ("404 models/gemini-2.5-flash\n-lite is not found for API version v1beta", "gemini-2.5-flash-lite"),
        ("404 models/my-tuned-\nmodel-7 is not found for API version v1beta", "my-tuned-model-7"),
        ("404 models/gemini-2.5-flash\nis not found for API version v1beta", "gemini-2.5-flash"),
        ("404 models/my-own-model\nfoo is not found for API version v1beta", "my-own-model"),
    ],
)
def test_a_model_name_wrapped_by_a_terminal_is_read_whole(text, model):
    assert parse_text(text).record.model == model
