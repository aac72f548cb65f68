"""Fix commands cannot run an attacker's code: hostile values in every field that reaches a command,
through every output, each printed command pasted into bash (gcloud and friends stubbed); no
canary file may ever appear."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import invoke_cli, run_cli
from fake_google import FakeGoogle, answering
from gemini_doctor.cli.group import cli
from gemini_doctor.render.scan import scan_lines
from gemini_doctor.scan import Scanner

# Each payload, if it ever ran, would create a file in $HOME (bash runs there, with HOME set to it).
PAYLOADS = [
    "a;{touch,~/owned1};b",
    "$(touch${IFS}~/owned2)",
    "`touch${IFS}~/owned3`",
    "a|touch${IFS}~/owned4",
    "a&&touch${IFS}~/owned5",
    "a>~/owned6",
    "a\ntouch ~/owned7\n",
    "a';touch${IFS}~/owned8;'",
    'a";touch${IFS}~/owned9;"',
    "acme-prod;touch ~/owned10",
    "acme-prod$(touch ~/owned11)",
]


def _json(value: str) -> str:
    return json.dumps(value)[1:-1]


def _error_info(
    reason: str,
    consumer: str,
    service: str = "generativelanguage.googleapis.com",
    message: str = "denied",
    code: int = 403,
    status: str = "PERMISSION_DENIED",
) -> str:
    return json.dumps(
        {
            "error": {
                "code": code,
                "message": message,
                "status": status,
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": reason,
                        "domain": "googleapis.com",
                        "metadata": {"consumer": consumer, "service": service},
                    }
                ],
            }
        }
    )


# Every place an error can name a value that a fix command carries.
FORMS = {
    "json consumer": lambda v: _error_info("SERVICE_DISABLED", f"projects/{v}"),
    "json service": lambda v: _error_info("SERVICE_DISABLED", "projects/123456789012", service=v),
    "prose project": lambda v: (
        f"403 PERMISSION_DENIED. Generative Language API has not been used in project {v} before or "
        "it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/"
        "generativelanguage.googleapis.com/overview then retry."
    ),
    "grpc metadata": lambda v: (
        'google.api_core.exceptions.PermissionDenied: 403 denied [reason: "SERVICE_DISABLED"\n'
        'domain: "googleapis.com"\nmetadata {\n  key: "consumer"\n  value: "projects/' + _json(v) + '"\n}\n'
        'metadata {\n  key: "service"\n  value: "aiplatform.googleapis.com"\n}\n]'
    ),
    "repr": lambda v: (
        "google.genai.errors.ClientError: 403 PERMISSION_DENIED. "
        "{'error': {'code': 403, 'message': 'denied', 'status': 'PERMISSION_DENIED', "
        "'details': [{'@type': 'type.googleapis.com/google.rpc.ErrorInfo', "
        f"'reason': 'SERVICE_DISABLED', 'metadata': {{'consumer': {('projects/' + v)!r}, "
        "'service': 'generativelanguage.googleapis.com'}}]}}"
    ),
    "iam resource": lambda v: (
        f"403 Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/"
        f"projects/{v}/locations/us-central1/publishers/google/models/gemini-2.5-flash' (or it may not "
        "exist)."
    ),
    "permission": lambda v: (
        f"403 Permission '{v}' denied on resource '//aiplatform.googleapis.com/projects/acme-prod/"
        "locations/us-central1' (or it may not exist)."
    ),
    "quota project": lambda v: _error_info(
        "USER_PROJECT_DENIED",
        f"projects/{v}",
        "aiplatform.googleapis.com",
        f"Caller does not have required permission to use project {v}. Grant the caller "
        "the roles/serviceusage.serviceUsageConsumer role",
    ),
    "quota project missing": lambda v: (
        "403 PERMISSION_DENIED: Your application is authenticating by using local Application "
        "Default Credentials. The generativelanguage.googleapis.com API requires a quota "
        f"project, which is not set by default. quota project {v}"
    ),
    "billing": lambda v: _error_info(
        "BILLING_DISABLED",
        f"projects/{v}",
        message=(
            f"This API method requires billing to be enabled. Please enable billing on project #{v} by "
            f"visiting https://console.developers.google.com/billing/enable?project={v} then retry."
        ),
    ),
    "model": lambda v: json.dumps(
        {
            "error": {
                "code": 404,
                "status": "NOT_FOUND",
                "message": f"models/{v} is not found for API version v1beta",
            }
        }
    ),
    "location": lambda v: json.dumps(
        {
            "error": {
                "code": 400,
                "status": "FAILED_PRECONDITION",
                "message": (
                    "Publisher Model "
                    f"`projects/acme-prod/locations/{v}/publishers/google/models/gemini-2.5-flash` not "
                    "found."
                ),
            }
        }
    ),
    "vertex url": lambda v: (
        f"POST https://us-central1-aiplatform.googleapis.com/v1/projects/{v}/locations/us-central1/"
        "publishers/google/models/gemini-2.5-flash:generateContent 403 Forbidden"
    ),
}
TEXTS = [form(payload) for form in FORMS.values() for payload in PAYLOADS]
STUBBED = ("gcloud", "curl", "gemini-doctor", "python", "python3", "keytool")


@pytest.fixture
def paste(tmp_path):
    """paste(commands): run them in bash as a user would, with the tools stubbed, in an empty HOME;
    fails if anything appeared in HOME."""
    home, stubs = tmp_path / "home", tmp_path / "bin"
    home.mkdir()
    stubs.mkdir()
    for name in STUBBED:
        (stubs / name).write_text("#!/bin/sh\nexit 0\n")
        (stubs / name).chmod(0o755)

    def run(commands: list[str], where: str) -> None:
        assert commands, f"{where}: no command found to paste"
        script = "\n".join(commands) + "\n"
        subprocess.run(
            ["bash"],
            check=False,
            input=script.encode(),
            cwd=home,
            capture_output=True,
            timeout=60,
            env={"PATH": f"{stubs}:/usr/bin:/bin", "HOME": str(home)},
        )
        assert sorted(os.listdir(home)) == [], f"{where}: pasting the commands created files"

    return run


def _jsonl(tmp_path) -> str:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps({"id": n, "error_text": text}) + "\n" for n, text in enumerate(TEXTS)))
    return str(path)


def _json_commands(results) -> list[str]:
    return [
        step["command"]
        for result in results
        for cause in result.get("causes", result.get("fixes", []))
        for step in cause["fix"]
        if "command" in step
    ]


def test_the_forms_reach_the_fields_they_aim_at():
    """The test means something: a harmless marker in each form is read into a record field."""
    from gemini_doctor.evidence import parse_text

    unread = [
        name
        for name, form in FORMS.items()
        if not any(
            "marker-value" in str(v)
            for k, v in parse_text(form("marker-value")).record.to_dict().items()
            if k != "message"
        )
    ]
    assert set(unread) <= {"permission", "location"}, (
        unread
    )  # shapes the parser rightly refuses to read as a value


def test_explain_json_commands(tmp_path, paste):
    out = invoke_cli("explain", "--format", "json", "--batch", _jsonl(tmp_path)).stdout.decode()
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == len(TEXTS)
    paste(_json_commands(results), "explain --format json")


def test_explain_text_commands(tmp_path, paste):
    out = invoke_cli("explain", "--batch", _jsonl(tmp_path)).stdout.decode()
    paste([line.strip()[2:] for line in out.splitlines() if line.strip().startswith("$ ")], "explain (text)")


def test_explain_markdown_commands(tmp_path, paste):
    out = invoke_cli("explain", "--format", "markdown", "--batch", _jsonl(tmp_path)).stdout.decode()
    commands, fence = [], None
    for line in out.splitlines():
        stripped = line.strip()
        if fence is None and re.fullmatch(r"`{3,}sh", stripped):
            fence = stripped[:-2]
        elif fence is not None and stripped == fence:
            fence = None
        elif fence is not None:
            commands.append(stripped)
    paste(commands, "explain --format markdown")


def test_scan_and_run_commands(tmp_path, paste):
    """scan groups by cause (one example each), so each text is scanned alone through the same renderer;
    then the CLIs once over all of them."""
    commands = []
    for text in TEXTS:
        scanner = Scanner()
        scanner.feed(text.encode() + b"\n")
        scanner.finish()
        report = scanner.to_dict()
        commands += [g["fix"] for g in report["groups"]]
        commands += [line.split("fix: ", 1)[1] for _, line in scan_lines(report, "log") if "fix: " in line]
    log = tmp_path / "app.log"
    log.write_text("\n".join(TEXTS) + "\n")
    commands += [
        g["fix"] for g in json.loads(invoke_cli("scan", "--format", "json", str(log)).stdout)["groups"]
    ]
    for out in (
        invoke_cli("scan", str(log)).stdout,
        run_cli("run", "--", sys.executable, "-c", f"print(open({str(log)!r}).read())").stderr,
    ):
        commands += [line.split("fix: ", 1)[1] for line in out.decode().splitlines() if "fix: " in line]
    paste(commands, "scan / run")


@pytest.mark.parametrize("form", FORMS)
def test_fix_output_pasted_whole(form, tmp_path, paste, monkeypatch):
    """`fix` prints a script to paste as a whole (comments and commands); here Google's answer is the
    hostile error, for an API-key setup."""
    monkeypatch.setenv("GEMINI_API_KEY", "AIzaSyD-fake-key-for-a-hostile-test-00")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setattr(
        "google.auth.compute_engine._metadata._NO_GCE_CHECK", True
    )  # no metadata server probing
    for name in (
        "GOOGLE_API_KEY",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GOOGLE_CLOUD_PROJECT",
        "GOOGLE_GENAI_USE_VERTEXAI",
    ):
        monkeypatch.delenv(name, raising=False)
    outputs = []
    for payload in PAYLOADS:
        text = FORMS[form](payload)
        body = (
            json.loads(text)
            if text.startswith("{")
            else {"error": {"code": 403, "message": text, "status": "PERMISSION_DENIED"}}
        )
        with FakeGoogle(answering(403, body)) as google:
            for fmt in ("text", "json"):
                done = CliRunner().invoke(
                    cli, ["fix", "--endpoint", google.url, "--timeout", "5", "--format", fmt]
                )
                assert done.exception is None or isinstance(done.exception, SystemExit), done.output
                outputs.append((fmt, done.output))
    paste([out for fmt, out in outputs if fmt == "text"], f"fix ({form})")
    paste(
        _json_commands(json.loads(out) for fmt, out in outputs if fmt == "json"),
        f"fix --format json ({form})",
    )
