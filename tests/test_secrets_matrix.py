"""Every secret kind, in every encoding a log or a paste gives it, through every output: nothing leaks.

In-process (each output's own code path, from the diagnosis to the written text), so the whole
matrix (8 kinds x 20 forms x 13 outputs) runs in seconds; test_secrets.py runs the CLI itself.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
import string
import textwrap
import urllib.parse

import pytest

from gemini_doctor.api import explain
from gemini_doctor.cli import explain_run, fix_cmd, run_cmd
from gemini_doctor.hooks import note_for
from gemini_doctor.redact import redact
from gemini_doctor.render import render, to_json_line
from gemini_doctor.render.scan import scan_lines
from gemini_doctor.render.terminal import print_lines
from gemini_doctor.scan import Scanner

_RANDOM = random.Random(20)
_ALNUM = string.ascii_letters + string.digits


def _random(n: int, alphabet: str = _ALNUM + "_-") -> str:
    return "".join(_RANDOM.choice(alphabet) for _ in range(n))


def _pem() -> str:
    body = _random(64 * 4 + 20, _ALNUM + "+/")
    return (
        "-----BEGIN PRIVATE KEY-----\nMIIE"
        + "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        + "\n-----END PRIVATE KEY-----\n"
    )


# kind -> a realistic secret (random, so a leak of any part of it is visible)
SECRETS = {
    "api_key": "AIza" + _random(35),
    "auth_key": "AQ.Ab8RN6" + _random(44),
    "access_token": "ya29.a0AfH6SM" + _random(150, _ALNUM + "_-."),
    "refresh_token": "1//0g" + _random(98),
    "jwt": "eyJhbGciOiJSUzI1NiJ9." + _random(120) + "." + _random(86),
    "private_key": _pem(),
    "ephemeral_token": "auth_tokens/" + _random(40),
    "client_secret": "GOCSPX-" + _random(28),
}


def _wrap(s: str, width: int = 80, newline: str = "\n") -> str:
    return newline.join(s[i : i + width] for i in range(0, len(s), width))


# form -> how a secret appears in a log line or a paste
FORMS = {
    "plain": lambda s: s,
    "query": lambda s: f"https://generativelanguage.googleapis.com/v1beta/models?key={s}&alt=json",
    "query_token": lambda s: f"https://oauth2.googleapis.com/x?a=1&access_token={s}",
    "bearer": lambda s: f"Authorization: Bearer {s}",
    "header": lambda s: f"x-goog-api-key: {s}",
    "json": lambda s: json.dumps({"refresh_token": s, "credential": s}),
    "nested_json": lambda s: json.dumps({"body": json.dumps({"token": s})}),
    "repr": lambda s: repr({"token": s, "bytes": s.encode()}),
    "word_before": lambda s: f"token_{s} id9{s}",
    "percent": lambda s: urllib.parse.quote(s, safe=""),
    "percent_bearer": lambda s: "Authorization=Bearer%20" + urllib.parse.quote(s, safe=""),
    "percent_key": lambda s: "q=1%26key%3D" + urllib.parse.quote(s, safe=""),
    "percent_twice": lambda s: urllib.parse.quote(urllib.parse.quote(s, safe=""), safe=""),
    "form": lambda s: urllib.parse.urlencode({"assertion": s, "grant_type": "x"}),
    "wrap_lf": lambda s: _wrap("Authorization: Bearer " + s, 37),
    "wrap_crlf": lambda s: _wrap("Authorization: Bearer " + s, 41, "\r\n"),
    "wrap_in_json": lambda s: json.dumps({"msg": _wrap("credential " + s, 29)}),
    "json_slashes": lambda s: json.dumps({"t": s}).replace("/", "\\/"),
    "unicode_escapes": lambda s: s.replace(".", "\\u002e").replace("/", "\\u002F"),
    "html_entities": lambda s: s.replace("/", "&#x2F;").replace(".", "&#46;"),
}

CASES = [(kind, form) for kind in SECRETS for form in FORMS]


def error_text(kind: str, form: str) -> str:
    """A Google error as a log or a paste shows it, the secret in the request line and in the message."""
    shown = FORMS[form](SECRETS[kind])
    body = {
        "error": {
            "code": 403,
            "status": "PERMISSION_DENIED",
            "message": f"Permission denied on resource project acme-prod (request {shown})",
        }
    }
    return (
        f"2026-12-01T10:00:00Z ERROR POST generativelanguage.googleapis.com {shown}\n"
        f"google.genai.errors.ClientError: 403 PERMISSION_DENIED. {json.dumps(body)}\n"
    )


def _normalised(out: str) -> str:
    """The output with every encoding a reader could undo undone, and line breaks dropped."""
    for _ in range(3):
        before = out
        out = urllib.parse.unquote_plus(out)
        out = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), out)
        out = re.sub(r"&#[xX]?[0-9a-fA-F]+;", "", out).replace("&amp;", "&").replace("\\/", "/")
        out = out.replace("\\r", "").replace("\\n", "").replace("\\\\", "\\")
        if out == before:  # nothing left to undo: another round would change nothing either
            break
    return "".join(out.split())  # every whitespace character dropped (what re's \s matches)


def leaks(secret: str, out: str) -> list[str]:
    """Pieces of the secret (8 characters of its random part, not its last four) found in *out*."""
    flat, body = _normalised(out), re.sub(r"\s", "", secret)
    body = body.removeprefix("-----BEGINPRIVATEKEY-----").removesuffix("-----ENDPRIVATEKEY-----")
    random_part = body[12:-4]
    return [
        random_part[i : i + 8] for i in range(0, len(random_part) - 8, 4) if random_part[i : i + 8] in flat
    ]


def _captured(write) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        write()
    return out.getvalue() + err.getvalue()


def _check_result(text: str) -> dict:
    """A check result in which everything that comes from the network (summaries, traps) carries *text*."""
    diagnosed = explain(text).to_dict()
    return {
        "healthy": False,
        "summary": f"Problem: {text}",
        "credential": {"kind": "api_key", "key": text},
        "checks": [
            {"id": "generate", "title": "generate", "status": "fail", "summary": text, "duration_ms": 3}
        ],
        "traps": [{"id": "t", "message": text}],
        "causes": diagnosed["causes"],
        "parsed": diagnosed["parsed"],
        "requests": 1,
        "elapsed_ms": 3,
    }


def _scanner(text: str) -> Scanner:
    scanner = Scanner()
    scanner.feed(text.encode())
    scanner.finish()
    return scanner


class _GoogleError(Exception):
    pass


_GoogleError.__module__ = "google.genai.errors"


def outputs(text: str, tmp_path) -> dict[str, str]:
    """What each output writes for an error *text*."""
    source = tmp_path / "error.txt"
    source.write_text(text)
    scanner = _scanner(text)
    check = _check_result(text)
    out = {
        f"explain {fmt}": _captured(lambda fmt=fmt: explain_run.run(str(source), fmt))
        for fmt in ("text", "json", "markdown")
    }
    out["scan json"] = to_json_line(scanner.to_dict())
    stream = io.StringIO()
    print_lines(scan_lines(scanner.to_dict(), "log"), stream)
    out["scan text"] = stream.getvalue()
    out["run summary"] = _captured(lambda: run_cmd._explain([scanner, Scanner()]))
    out["hooks note"] = note_for(_GoogleError(text)) or ""
    for fmt in ("text", "json", "markdown"):
        stream = io.StringIO()
        render(check, fmt, stream, view="check")
        out[f"check {fmt}"] = stream.getvalue()
    out["fix text"] = _captured(lambda: fix_cmd._print_commands(check, "text"))
    out["fix json"] = _captured(lambda: fix_cmd._print_commands(check, "json"))
    return out


@pytest.mark.parametrize(("kind", "form"), CASES, ids=[f"{k}-{f}" for k, f in CASES])
def test_no_output_shows_the_secret(kind, form, tmp_path):
    text = error_text(kind, form)
    found = {name: leaks(SECRETS[kind], out) for name, out in outputs(text, tmp_path).items()}
    assert not {name: pieces for name, pieces in found.items() if pieces}


def test_batch_shows_no_secret(tmp_path):
    batch = tmp_path / "cases.jsonl"
    batch.write_text(
        "".join(
            json.dumps({"id": f"{kind} {form}", "error_text": error_text(kind, form)}) + "\n"
            for kind, form in CASES
        )
    )
    for fmt in ("json", "text", "markdown"):
        out = _captured(lambda fmt=fmt: explain_run.run(batch=str(batch), fmt=fmt))
        assert out.count("PERMISSION_DENIED") >= len(CASES)
        for kind, secret in SECRETS.items():
            assert not leaks(secret, out), (fmt, kind)


def test_the_matrix_can_see_a_leak():
    """The leak detector itself: each form of each secret, unredacted, is seen."""
    for kind, form in CASES:
        assert leaks(SECRETS[kind], error_text(kind, form)), (kind, form)


@pytest.mark.parametrize("kind", SECRETS)
def test_redaction_is_idempotent_and_keeps_the_text_around(kind):
    text = f"before {FORMS['plain'](SECRETS[kind])} after PERMISSION_DENIED"
    once = redact(text)
    assert redact(once) == once
    assert once.startswith("before ") and once.endswith(" after PERMISSION_DENIED")


def test_variables_and_placeholders_in_fixes_are_not_secrets():
    command = 'curl -H "x-goog-api-key: $GEMINI_API_KEY" "https://x/models?key=${GEMINI_API_KEY}&access_token=<token>"'
    assert redact(command) == command


def test_a_wrapped_secret_leaves_the_next_line_alone():
    key, token = SECRETS["api_key"], SECRETS["access_token"]
    assert (
        redact(f"x-goog-api-key: {key}\nPERMISSION_DENIED")
        == f"x-goog-api-key: AIza…{key[-4:]}\nPERMISSION_DENIED"
    )
    assert redact(f"Bearer {token}\r\nContent-Type: application/json").endswith(
        "\r\nContent-Type: application/json"
    )
    wrapped = textwrap.fill("Authorization: Bearer " + token, 50)
    assert redact(wrapped) == f"Authorization: Bearer ya29.…{token[-4:]}"


def test_batch_echoes_nan_and_infinity_ids_as_valid_json(tmp_path):
    batch = tmp_path / "ids.jsonl"
    batch.write_text(
        "".join(
            f'{{"id": {raw}, "error_text": "403 PERMISSION_DENIED"}}\n'
            for raw in ("NaN", "-Infinity", "1e999", "7")
        )
    )
    out = _captured(lambda: explain_run.run(batch=str(batch), fmt="json"))
    ids = [
        json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))["id"]
        for line in out.splitlines()
    ]
    assert ids == ["NaN", "-Infinity", "1e999", 7]


def test_library_explains_an_unread_streamed_response_and_one_without_its_request():
    import httpx

    body = json.dumps(
        {"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "Permission denied."}}
    ).encode()

    class Unread(httpx.SyncByteStream):
        def __iter__(self):
            yield body

    client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(403, stream=Unread())))
    with client.stream(
        "POST", "https://generativelanguage.googleapis.com/v1beta/models/x:generateContent"
    ) as response:
        assert explain(response).record.code == 403
        assert response.read() == body  # left unread: the caller can still read it
    assert explain(httpx.Response(403, content=body)).record.status == "PERMISSION_DENIED"
