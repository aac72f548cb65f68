"""Explain's JSON is redacted by scanning only what came from the input: it must equal redacting it all."""

import pytest

from gemini_doctor import explain
from gemini_doctor.catalogue import load_catalogue
from gemini_doctor.engine.diagnosis import Diagnosis, _template
from gemini_doctor.jsontext import encode
from gemini_doctor.redact import proven_clean, redact, redact_json

KEY = "AIzaSyA1234567890abcdefghijklmnopqrstu"
# secrets and near-secrets where a value meets catalogue text: named values, keys, private keys, escapes
HOSTILE = [
    f"GET https://generativelanguage.googleapis.com/v1beta/models?key={KEY} 400 API key not valid",
    "403 x-goog-api-key: sk_live_abcdefghijklmnop project my-proj",
    '{"error":{"code":401,"message":"invalid credentials access_token=ya29.a0AfH6SMBxxxxxxxxxxxxxxxxxxxx"}}',
    "PERMISSION_DENIED AQ.Ab8RN6abcdefghijklmnopqrstuv denied model gemini-2.5-pro",
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"
    "-----END PRIVATE KEY----- 403",
    f"Permission aiplatform.endpoints.predict denied on project {KEY}",
    "429 RESOURCE_EXHAUSTED limit: 0 model: gemini-2.0-flash %41%49zaSyA1234567890abcdefghijklmnop",
    f'{{"error":{{"code":403,"details":[{{"metadata":{{"access_token":"{KEY[4:]}","consumer":"projects/p"}}}}]}}}}',
]
PROJECTS = [None, "my-proj", KEY, "x-goog-api-key: abcdefghijk", "?key=abcdefghijkl", "AIza"]


def _texts(error_cases):
    for text in [case["error_text"] for case in error_cases] + HOSTILE:
        yield from (text, text.upper(), text.replace("\n", " "))


def test_scanning_the_values_redacts_as_scanning_it_all(error_cases):
    for text in _texts(error_cases):
        ranked = explain(text)  # the project given fills the prose only: the ranking is the same
        for n, project in enumerate(PROJECTS):
            diagnosis = Diagnosis(ranked.causes, ranked.record, {"project": project} if project else {})
            whole = diagnosis.to_json()
            assert diagnosis.to_redacted_json() == redact(whole), (text[:80], project)
            batch_id = encode([KEY, "plain", f"x?key={KEY[4:]}"][n % 3])
            values: list[str] = []
            with_id = f'{{"id":{batch_id},{diagnosis.json_text(values)[1:]}'
            assert redact_json(with_id, [*values, batch_id]) == redact(with_id), (text[:80], project)


def test_a_secret_in_a_value_is_redacted():
    diagnosis = explain("403 PERMISSION_DENIED Permission aiplatform.endpoints.predict denied", project=KEY)
    assert KEY in diagnosis.to_json()  # the project given fills the prose
    assert KEY[4:] not in diagnosis.to_redacted_json() and "AIza…rstu" in diagnosis.to_redacted_json()


def test_every_catalogue_cause_has_clean_constant_text():
    """Catalogue text never looks like a secret: each cause's JSON is redacted by scanning its values only."""
    for cause in load_catalogue().values():
        assert _template(cause, None)[-1], cause.id
        if any(step.when or step.unless for step in cause.fix):
            assert _template(cause, (False,) * len(cause.fix))[-1], cause.id


@pytest.mark.parametrize(
    "constant, clean",
    [
        ('{"id":"key_invalid","title":"Send the key in the x-goog-api-key header","why":', True),
        (',"url":"https://example.com/a?key=', False),  # a value after it would be the key's
        ('"x-goog-api-key\\": "', False),
        (',"step":"Pass access_token = ', False),
        (f'"title":"{KEY}"', False),  # a secret itself
    ],
)
def test_proven_clean(constant, clean):
    assert proven_clean(constant) is clean
