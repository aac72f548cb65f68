"""scan's reading loop: every error explain diagnoses is found, in every format and chunking;
lines are counted right; request logs naming Google are dismissed without explain; linear work."""

import json

import pytest

from gemini_doctor import scan
from gemini_doctor.api import explain
from gemini_doctor.scan import MAX_PENDING, Scanner

TS = "2026-11-30T10:00:00.000Z"
DISABLED = (
    "Generative Language API has not been used in project 580640415319 before or it is disabled. Enable it "
    "by visiting https://console.developers.google.com/apis/api/generativelanguage.googleapis.com/overview"
    "?project=580640415319 then retry."
)
NOT_HERE = {
    "error": {
        "code": 404,
        "status": "NOT_FOUND",
        "message": "Publisher Model `projects/acme/locations/europe-west1/"
        "publishers/google/models/gemini-3-pro-preview` was not found or your project does not have access "
        "to it.",
    }
}
QUOTA = {
    "error": {
        "code": 429,
        "status": "RESOURCE_EXHAUSTED",
        "message": "You exceeded your current quota. * Quota exceeded "
        "for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, "
        "model: gemini-2.5-pro",
    }
}


def _json_log(message: str) -> str:
    return json.dumps({"timestamp": TS, "severity": "ERROR", "message": message}) + "\n"


FORMATS = {
    "json body": f"{TS} ERROR gemini: {json.dumps(QUOTA)}\n",
    "python repr": f"{TS} ERROR google.genai.errors.ClientError: 400 INVALID_ARGUMENT. "
    "{'error': {'code': 400, 'message': 'API key not valid. Please pass a valid API key.', 'status': "
    "'INVALID_ARGUMENT'}}\n",
    "pretty body": f"{TS} ERROR request failed: " + json.dumps(NOT_HERE, indent=2) + "\n",
    "grpc text": f"{TS} ERROR google.api_core.exceptions.PermissionDenied: 403 {DISABLED} [reason: "
    '"SERVICE_DISABLED"\n'
    'domain: "googleapis.com"\nmetadata {\n  key: "service"\n  value: "generativelanguage.googleapis.com"\n'
    "}\n]\n",
    "grpc reason only": "Inference Exception: 400 API key expired. Please renew the API key. [reason: "
    '"API_KEY_INVALID"\n'
    'domain: "googleapis.com"\n',
    "oauth": (
        f"{TS} ERROR google.auth.exceptions.RefreshError: ('invalid_grant: Token has been expired or "
        "revoked.', {'error': 'invalid_grant', 'error_description': 'Token has been expired or revoked.'})\n"
    ),
    "sdk message": (
        f"{TS} ERROR 404 models/gemini-pro is not found for API version v1beta, or is not supported for "
        "generateContent.\n"
    ),
    "message alone": (
        f"{TS} ERROR chat request failed: Your API key was reported as leaked. Please use another API key.\n"
    ),
    "cut short": f'{TS} ERROR gemini call failed: {{"error": {{"code": 403, "message": "{DISABLED[:112]}\n',
    "escaped in json": _json_log("gemini call failed: " + json.dumps(NOT_HERE)),
    "escaped, cut short": _json_log('call failed: {"error":{"code":403,"message":"' + DISABLED[:112]),
    "escaped twice": _json_log(json.dumps({"upstream": json.dumps(QUOTA)})),
    "http status only": (
        f"{TS} INFO httpx POST "
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent "
        '"HTTP/1.1 403 Forbidden"\n'
    ),
}
GOOGLE_OK = [
    (
        f"{TS} INFO httpx HTTP Request: POST "
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent "
        '"HTTP/1.1 200 OK"\n'
    ),
    (
        f"{TS} INFO POST https://us-central1-aiplatform.googleapis.com/v1/projects/acme/locations/us-central1"
        "/publishers/google/models/gemini-2.5-pro:generateContent status=200 duration_ms=431\n"
    ),
    json.dumps(
        {
            "timestamp": TS,
            "message": "gemini call ok",
            "url": "https://generativelanguage.googleapis.com/v1beta/models/x",
            "status": 200,
            "tokens": 431,
        }
    )
    + "\n",
    f"{TS} DEBUG google_genai.models usage for gemini-2.5-flash: prompt_tokens=12 total_tokens=40\n",
    # numbers that are statuses elsewhere, here other keys' values; a model not served at this location
    (
        f"{TS} INFO POST https://us-central1-aiplatform.googleapis.com/v1/projects/acme/locations/us-central1"
        "/publishers/google/models/gemini-3-pro-preview:generateContent status=200 duration_ms=404 "
        "tokens=429\n"
    ),
]
NOISE = [f"{TS} INFO request handled path=/items/{n} status=200 duration_ms=431\n" for n in range(5)] + [
    f"{TS} ERROR db connection reset by peer, retrying\n",
    f"{TS} WARN cache service UNAVAILABLE, retrying\n",
]


def _scan(data: bytes, piece: int | None = None) -> Scanner:
    scanner = Scanner()
    for i in range(0, len(data), piece or len(data) or 1):
        scanner.feed(data[i : i + (piece or len(data))])
    scanner.finish()
    return scanner


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_alone_is_one_error(fmt):
    assert _scan(FORMATS[fmt].encode()).errors == 1


def test_every_format_among_noise_whatever_the_chunking():
    lines = []
    for n, error in enumerate(FORMATS.values()):
        lines += NOISE + GOOGLE_OK[n % len(GOOGLE_OK) :] + [error]
    data = "".join(lines).encode()
    results = [_scan(data, piece).to_dict() for piece in (None, 1, 7, 4096, 65536)]
    assert results[0]["errors"] == len(FORMATS)
    assert all(result == results[0] for result in results)


def test_google_lines_without_an_error_are_dismissed_unexplained(monkeypatch):
    calls = []
    monkeypatch.setattr(scan, "explain", lambda text: calls.append(text) or explain(text))
    scanner = _scan("".join(GOOGLE_OK * 50 + NOISE[:5] * 50).encode())
    assert scanner.errors == 0 and calls == []


def test_a_number_that_is_no_status_is_no_refusal():
    """explain too: a successful call's log line is no 404, whatever the lifecycle says of its model."""
    assert explain(GOOGLE_OK[-1]).top.cause.id != "model_not_in_region"


def test_each_record_is_dismissed_on_its_own_words(monkeypatch):
    """The records of a chunk are checked for error words in one pass, but never as one text: a
    status key at the end of one record and an error code opening the next, or a word split
    between two records, show no error."""
    calls = []
    monkeypatch.setattr(scan, "explain", lambda text: calls.append(text) or explain(text))
    lines = [
        f"{TS} INFO gemini call ok, last status\n",
        "403 gemini calls ok, the next goes to err\n",
        "or queue of gemini, ok\n",
    ]
    scanner = _scan("".join(lines * 3).encode())
    assert scanner.errors == 0 and calls == []
    _scan("".join([*lines, f"{TS} INFO gemini status 403\n"]).encode())
    assert calls == [f"{TS} INFO gemini status 403\n"]


def test_real_errors_are_found_among_noise_wherever_explain_diagnoses_them(error_cases):
    """Each real error (the project's own cases, and the shared corpus when present), on one log line
    and escaped inside a JSON log line, whole and cut short, amid ordinary lines and request logs
    naming Google: scan finds it, with explain's cause, whenever explain diagnoses that line as a
    Google error (a known cause, and Google's by its names, reasons, service or surface)."""
    around = "".join(NOISE + GOOGLE_OK)
    checked, missed = 0, []
    for case in error_cases:
        text = case["error_text"]
        for line in (
            f"{TS} ERROR " + " ".join(text.split()) + "\n",
            _json_log(text),
            _json_log(text[: len(text) * 2 // 3]),
        ):
            diagnosis = explain(line)
            if (
                not diagnosis.found
                or diagnosis.top.cause.id == "unknown"
                or not scan._googleish(diagnosis, line)
            ):
                continue
            checked += 1
            groups = _scan((around + line + around).encode()).to_dict()["groups"]
            if [(g["cause"], g["count"]) for g in groups] != [(diagnosis.top.cause.id, 1)]:
                missed.append((case["id"], line[:120], groups and groups[0]["cause"]))
    assert checked and missed == []


def test_lines_are_counted_right_whatever_the_chunking():
    long_line = (
        "x" * (MAX_PENDING + 5000) + " " + FORMATS["json body"].strip() + " " + "y" * MAX_PENDING + "\n"
    )
    parts = [
        "first\r\n",
        FORMATS["sdk message"],
        long_line,
        "\n",
        "\n",
        FORMATS["python repr"],
        "last line without an end",
    ]
    data = "".join(parts).encode()
    expected_lines = data.count(b"\n") + 1
    for piece in (None, 1000003, 65536, MAX_PENDING - 1, 4 << 20):
        report = _scan(data, piece).to_dict()
        assert report["lines"] == expected_lines and report["errors"] == 3
        assert sorted(g["first_line"] for g in report["groups"]) == [2, 3, 6]
    assert _scan(b"").lines == 0 and _scan(b"one").lines == 1 and _scan(b"one\n").lines == 1


def test_one_long_line_of_trigger_words_is_read_once(monkeypatch):
    calls = []
    monkeypatch.setattr(scan, "explain", lambda text: calls.append(len(text)) or explain(text))
    line = b"googleapis.com PERMISSION_DENIED gemini error " * (3 * MAX_PENDING // 48) + b"\nnext\n"
    scanner = _scan(line, 65536)
    assert scanner.lines == 2 and len(calls) == 1 and calls[0] <= scan.MAX_RECORD


def test_google_wording_is_the_catalogue_s():
    """Each phrase scan anchors on without a Google name is a settling signal's own words (so that
    explain, handed the record, settles it as Google's)."""
    from gemini_doctor.catalogue import load_catalogue

    settling = [
        signal.text.source
        for cause in load_catalogue().values()
        for signal in cause.signals
        if signal.text is not None and signal.settles and signal.weight >= scan.GOOGLE_WORDING_AT
    ]
    assert [
        phrase for phrase in scan.GOOGLE_WORDING if not any(phrase in source for source in settling)
    ] == []


def test_the_anchors_fit_the_simd_prefilter():
    """One literal more than the prefilter takes makes the pass over every chunk several times slower."""
    assert len(scan._NAME_FORMS) + len(scan._MARKS) <= scan.ANCHORS_MAX
