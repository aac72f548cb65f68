"""Canary secrets in the input never appear in any output format."""

import json

import pytest

from conftest import invoke_cli
from gemini_doctor.redact import redact

API_KEY = "AIza" + "SyCANARY_key_do_not_print_0123456789"[:35]
EXPRESS_KEY = "AQ.Ab8CANARYexpresskeyDoNotPrint123"
TOKEN = "ya29.a0CANARYtokenDoNotPrint_abcdefghij"
REFRESH = "1//0gCANARYrefreshDoNotPrint-abcdefg"
PRIVATE = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0CANARYPRIVATE\\n-----END PRIVATE KEY-----\\n"
CANARIES = [API_KEY, EXPRESS_KEY, TOKEN, REFRESH, "MIIEvQIBADANBgkqhkiG9w0CANARYPRIVATE", "CANARY"]

ERROR = (
    f"POST https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent?key={API_KEY}\n"
    f"Authorization: Bearer {TOKEN}\nrefresh_token={REFRESH}\nx-goog-api-key: {EXPRESS_KEY}\n"
    f'{{"private_key": "{PRIVATE}"}}\n'
    '{"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "Permission denied: Consumer '
    f"'api_key:{API_KEY}' has been suspended.\"}}}}"
)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_cli_outputs_carry_no_secret(fmt):
    done = invoke_cli("explain", "--format", fmt, input=ERROR)
    out = done.stdout.decode() + done.stderr.decode()
    assert done.returncode == 0, out
    for canary in CANARIES:
        assert canary not in out
    assert "AIza…" in out or "AIza\\u2026" in out  # JSON output is ASCII-escaped


def test_batch_output_carries_no_secret(tmp_path):
    batch = tmp_path / "in.jsonl"
    batch.write_text(json.dumps({"id": API_KEY, "error_text": ERROR}) + "\n")
    out = invoke_cli("explain", "--batch", str(batch), "--format", "json").stdout.decode()
    for canary in CANARIES:
        assert canary not in out


def test_redact_shows_prefix_and_last_four_only():
    assert redact(API_KEY) == "AIza…" + API_KEY[-4:]
    assert redact(f"token {TOKEN}.") == f"token ya29.…{TOKEN[-4:]}."
