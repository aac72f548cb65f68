"""Other vendors' keys and tokens (Stripe, OpenAI, Anthropic, GitHub, Slack, AWS, Hugging Face...),
pasted with their own errors or with Google's, never reach an output, the library's answer or a log.

The secrets are fakes of the real shapes (random, so that a leak of any part of one is seen). The
outputs, the forms and the leak detector are test_secrets_matrix.py's; test_secrets.py runs the CLI.
"""

from __future__ import annotations

import json
import logging
import random
import string

import pytest

from conftest import invoke_cli
from gemini_doctor.api import explain
from gemini_doctor.redact import redact
from test_secrets_matrix import FORMS, _normalised, outputs

_RANDOM = random.Random(26)
_ALNUM = string.ascii_letters + string.digits


def _random(n: int, alphabet: str = _ALNUM) -> str:
    return "".join(_RANDOM.choice(alphabet) for _ in range(n))


def _pem(header: str, body_start: str) -> str:
    body = body_start + _random(64 * 5, _ALNUM + "+/")
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {header}-----\n{lines}\n-----END {header}-----\n"


# kind -> (what the secret follows when it has no shape of its own, the secret, the part shown at most)
VENDOR_SECRETS = {
    "stripe_live": ("", "sk_live_51" + _random(97), "sk_live_"),
    "stripe_test": ("", "sk_test_51" + _random(97), "sk_test_"),
    "stripe_restricted": ("", "rk_live_51" + _random(97), "rk_live_"),
    "openai_project": ("", "sk-proj-" + _random(156, _ALNUM + "_-"), "sk-proj-"),
    "openai_legacy": ("", "sk-" + _random(48), "sk-"),
    "anthropic": ("", "sk-ant-api03-" + _random(93, _ALNUM + "_-") + "AA", "sk-ant-"),
    "github_classic": ("", "ghp_" + _random(36), "ghp_"),
    "github_fine_grained": ("", "github_pat_11" + _random(20) + "_" + _random(59), "github_pat_"),
    "github_actions": ("", "ghs_" + _random(36), "ghs_"),
    "slack_bot": ("", f"xoxb-{_random(12, string.digits)}-{_random(13, string.digits)}-{_random(24)}", "xox"),
    "aws_access_key_id": ("", "AKIA" + _random(16, string.ascii_uppercase + "234567"), "AKIA"),
    "aws_secret": ("aws_secret_access_key = ", _random(40, _ALNUM + "/+"), ""),
    "huggingface": ("", "hf_" + _random(34, string.ascii_letters), "hf_"),
    "groq": ("", "gsk_" + _random(52), "gsk_"),
    "xai": ("", "xai-" + _random(80), "xai-"),
    "prefixless_env": ("MISTRAL_API_KEY=", _random(32), ""),
    "azure_header": ("api-key: ", _random(32, "0123456789abcdef"), ""),
    "bearer_opaque": ("Authorization: Bearer ", _random(40, _ALNUM + "._~-"), ""),
    "rsa_private_key": ("", _pem("RSA PRIVATE KEY", "MIIEowIBAAKCAQEA"), ""),
    "openssh_private_key": ("", _pem("OPENSSH PRIVATE KEY", "b3BlbnNzaC1rZXktdjEAAAAA"), ""),
    "pgp_private_key": ("", _pem("PGP PRIVATE KEY BLOCK", "lQVYBGXp"), ""),
}
# (no "word_before" form: another vendor's prefix must start a word, or sk- would be found in task-…;
# wrapped forms only for secrets with a shape: a named value of no shape is not followed to the next line,
# nor is a PGP key whose armour a wrap cut mid-word: its body has no fixed start, unlike DER's and OpenSSH's)
SHAPED_FORMS = [form for form in FORMS if form != "word_before"]
UNWRAPPED_FORMS = [form for form in SHAPED_FORMS if not form.startswith("wrap")]
CASES = [
    (kind, form)
    for kind, (before, _, _) in VENDOR_SECRETS.items()
    for form in (UNWRAPPED_FORMS if before or kind == "pgp_private_key" else SHAPED_FORMS)
]


def pasted(kind: str) -> str:
    before, secret, _ = VENDOR_SECRETS[kind]
    return before + secret


def leaks(kind: str, out: str) -> list[str]:
    """Pieces of the secret beyond the part that may be shown (8 characters each, not its last four)."""
    _, secret, shown = VENDOR_SECRETS[kind]
    flat = "".join(out.split())
    body = secret.split("-----")[2] if "PRIVATE KEY" in secret else secret  # a key's base64, not its armour
    hidden = "".join(body.split())[len(shown) : -4]
    pieces = [hidden[i : i + 8] for i in range(0, len(hidden) - 7, 4)]
    decoded = _normalised(out)  # with the escapes a reader could undo undone
    return [piece for piece in pieces if piece in flat or piece in decoded]


def foreign_error(kind: str, form: str) -> str:
    """Another vendor's error, as a log shows it, with the secret in the request and in the message."""
    shown = FORMS[form](pasted(kind))
    body = {"error": {"message": f"Incorrect API key provided: {shown}.", "type": "invalid_request_error"}}
    return (
        f"POST https://api.openai.com/v1/chat/completions {shown}\n"
        f"openai.AuthenticationError: Error code: 401 - {json.dumps(body)}\n"
    )


def google_error(kind: str, form: str) -> str:
    """Google's error from a proxy or an app that also holds the other vendor's secret."""
    shown = FORMS[form](pasted(kind))
    body = {"error": {"code": 403, "status": "PERMISSION_DENIED", "message": f"Permission denied ({shown})"}}
    return f"config: {shown}\ngoogle.genai.errors.ClientError: 403 PERMISSION_DENIED. {json.dumps(body)}\n"


@pytest.mark.parametrize(("kind", "form"), CASES, ids=[f"{k}-{f}" for k, f in CASES])
def test_no_output_shows_another_vendors_secret(kind, form, tmp_path):
    for text in (foreign_error(kind, form), google_error(kind, form)):
        assert leaks(kind, text)  # the detector sees the secret in the input
        found = {name: leaks(kind, out) for name, out in outputs(text, tmp_path).items()}
        assert not {name: pieces for name, pieces in found.items() if pieces}, text


@pytest.mark.parametrize("kind", VENDOR_SECRETS)
def test_the_library_answer_holds_no_secret(kind):
    diagnosis = explain(foreign_error(kind, "plain"))
    for shown in (json.dumps(diagnosis.to_dict()), diagnosis.to_json(), diagnosis.to_redacted_json()):
        assert not leaks(kind, shown)
    assert "Incorrect API key provided" in diagnosis.record.message


@pytest.mark.parametrize("kind", VENDOR_SECRETS)
def test_masked_as_google_keys_are_prefix_and_last_four(kind):
    before, secret, shown = VENDOR_SECRETS[kind]
    out = redact(f"before {before}{secret} after")
    assert out.startswith(f"before {before}") and out.endswith(" after")
    masked = out.removeprefix(f"before {before}").removesuffix(" after").strip()
    if "PRIVATE KEY" in secret:
        assert masked == "[private key redacted]"
    else:
        assert masked in (f"{shown}…{secret[-4:]}", f"{shown}…")  # the last four only when plain
    assert redact(out) == out


def test_prefixes_inside_words_and_prose_are_left_alone():
    for text in (
        "task-queue-processing-worker-01abcdefg",
        "disk_live_snapshot_0123456789abcdefgh",
        "Bearer authentication is not supported",
        "Bearer $(gcloud auth print-access-token)",
        "Authorization: Bearer <ACCESS_TOKEN>",
        "# export GEMINI_API_KEY=YOUR_API_KEY    <- fill in YOUR_API_KEY",
        "reason: ACCESS_TOKEN_TYPE_UNSUPPORTED, API_KEY_INVALID",
        "asia-northeast1 and asia-south1 are served",
        "Consumer 'api_key:AIza****************************' has been suspended.",
    ):
        assert redact(text) == text


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_cli_explain_shows_no_vendor_secret(fmt):
    text = "\n".join(foreign_error(kind, "plain") for kind in VENDOR_SECRETS)
    done = invoke_cli("explain", "--format", fmt, input=text)
    out = done.stdout.decode() + done.stderr.decode()
    assert "Incorrect API key provided" in out
    for kind in VENDOR_SECRETS:
        assert not leaks(kind, out), kind


def test_cli_scan_and_bad_input_show_no_vendor_secret(tmp_path):
    log = tmp_path / "app.log"
    log.write_text("".join(google_error(kind, "plain") for kind in VENDOR_SECRETS))
    bad = tmp_path / "bad.jsonl"  # a batch whose lines are not JSON: the error names the line, not its text
    bad.write_text("".join(pasted(kind) + "\n" for kind in VENDOR_SECRETS))
    runs = [
        invoke_cli("scan", str(log)),
        invoke_cli("scan", "--format", "json", str(log)),
        invoke_cli("explain", "--batch", str(bad), "--format", "json"),
        invoke_cli("explain", "--format", "json", str(tmp_path / "missing" / pasted("openai_project"))),
        invoke_cli("scan", str(tmp_path / "missing" / pasted("stripe_live"))),
        invoke_cli("run", "--", str(tmp_path / pasted("github_classic"))),
    ]
    for done in runs:
        out = done.stdout.decode() + done.stderr.decode()
        for kind in VENDOR_SECRETS:
            assert not leaks(kind, out), (kind, out[:300])


def test_logs_show_no_vendor_secret(caplog):
    with caplog.at_level(logging.DEBUG):
        for kind in VENDOR_SECRETS:
            explain(google_error(kind, "json"))
    for kind in VENDOR_SECRETS:
        assert not leaks(kind, caplog.text), kind
