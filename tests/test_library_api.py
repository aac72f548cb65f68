"""explain() on the objects users really hold: SDK exceptions and HTTP responses."""

import json

import httpx
import requests
from google.api_core import exceptions as core_exceptions
from google.auth import exceptions as auth_exceptions
from google.genai import errors as genai_errors

from gemini_doctor import explain

BODY = {
    "error": {
        "code": 403,
        "status": "PERMISSION_DENIED",
        "message": (
            "Requests to this API generativelanguage.googleapis.com method "
            "google.ai.generativelanguage.v1beta.GenerativeService.GenerateContent are blocked."
        ),
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_SERVICE_BLOCKED",
                "domain": "googleapis.com",
                "metadata": {"consumer": "projects/123", "service": "generativelanguage.googleapis.com"},
            }
        ],
    }
}


def _first(obj):
    return explain(obj).causes[0].cause.id


def test_text_and_dict():
    assert _first(json.dumps(BODY)) == _first(BODY) == "api_key_api_restricted"


def test_google_genai_client_error():
    exc = genai_errors.ClientError(403, BODY)
    assert _first(exc) == "api_key_api_restricted"
    assert explain(exc).record.project == "123"


def test_google_api_core_rest_error():
    exc = core_exceptions.from_http_status(403, BODY["error"]["message"], details=BODY["error"]["details"])
    assert isinstance(exc, core_exceptions.Forbidden)
    assert _first(exc) == "api_key_api_restricted"


def test_google_auth_refresh_error_in_a_chain():
    try:
        try:
            raise auth_exceptions.RefreshError(
                "invalid_scope: Invalid OAuth scope or ID token audience provided.",
                {"error": "invalid_scope"},
            )
        except auth_exceptions.RefreshError as inner:
            raise RuntimeError("call failed") from inner
    except RuntimeError as outer:
        assert _first(outer) == "scope_insufficient"


def test_httpx_and_requests_responses():
    response = httpx.Response(
        403,
        json=BODY,
        request=httpx.Request(
            "POST", "https://generativelanguage.googleapis.com/v1beta/models/m:generateContent"
        ),
    )
    assert _first(response) == "api_key_api_restricted"
    legacy = requests.Response()
    legacy.status_code, legacy._content = (
        400,
        json.dumps(
            {
                "error": {
                    "code": 400,
                    "status": "INVALID_ARGUMENT",
                    "message": "API key not valid. Please pass a valid API key.",
                }
            }
        ).encode(),
    )
    assert _first(legacy) == "api_key_invalid"
