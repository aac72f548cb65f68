"""Other vendors' errors (OpenAI, Anthropic, Stripe: real texts in data/foreign_errors.jsonl) are never
given a Google cause, by explain or by scan; Google's errors relayed by their SDKs stay Google's."""

import json
from pathlib import Path

import pytest

from gemini_doctor import explain
from gemini_doctor.scan import Scanner

FOREIGN = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "foreign_errors.jsonl").read_text().splitlines()
    if line.strip()
]
# Google's answers as other vendors' SDKs and proxies print them: Google's status, reason or name stays
RELAYED = {
    "openai-sdk": (
        "openai.AuthenticationError: Error code: 400 - [{'error': {'code': 400, 'message': 'API key not "
        "valid. Please pass a valid API key.', 'status': 'INVALID_ARGUMENT', 'details': [{'@type': "
        "'type.googleapis.com/google.rpc.ErrorInfo', 'reason': 'API_KEY_INVALID', 'domain': "
        "'googleapis.com'}]}}]",
        "api_key_invalid",
    ),
    "openai-style-proxy": (
        '{"error": {"message": "Invalid API key: generativelanguage rejected it. API key not valid. Please '
        'pass a valid API key.", "type": "invalid_request_error", "code": "invalid_api_key"}}',
        "api_key_invalid",
    ),
}


@pytest.mark.parametrize("case", FOREIGN, ids=[case["id"] for case in FOREIGN])
def test_another_vendor_s_error_gets_no_google_cause(case):
    diagnosis = explain(case["error_text"])
    assert not diagnosis.found and diagnosis.record.vendor == case["vendor"]
    assert case["vendor"] in " ".join(diagnosis.top.evidence)


@pytest.mark.parametrize("name", RELAYED)
def test_google_s_error_through_another_vendor_s_client_stays_google_s(name):
    text, cause = RELAYED[name]
    diagnosis = explain(text)
    assert diagnosis.top.cause.id == cause and diagnosis.record.vendor is None


def test_scan_reports_none_of_them():
    log = "".join(
        f"2026-11-30T10:00:0{n % 10}Z ERROR {' '.join(c['error_text'].split())}\n"
        for n, c in enumerate(FOREIGN)
    )
    scanner = Scanner()
    scanner.feed((log + RELAYED["openai-sdk"][0] + "\n").encode())
    scanner.finish()
    assert [(g["cause"], g["count"]) for g in scanner.to_dict()["groups"]] == [("api_key_invalid", 1)]
