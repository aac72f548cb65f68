"""A plain `genai.Client()` after `source env.sh` reaches the emulator, on the Gemini API and on Vertex AI."""

import json
import subprocess
import sys

import pytest

from emulator_clients import on_vertex
from gemini_doctor.emulator.scenarios import DEV, scenario_world

# The app: nothing but genai.Client(); sync, stream, async and countTokens; prints what happened as JSON.
APP = """
import asyncio, json, os
from google import genai
from google.genai import errors
client = genai.Client()
model = os.environ["APP_MODEL"]
try:
    out = {"text": client.models.generate_content(model=model, contents="Say hello").text,
           "stream": "".join(
               c.text for c in client.models.generate_content_stream(model=model, contents="Say hello")
           ),
           "async": asyncio.run(client.aio.models.generate_content(model=model, contents="Say hello")).text,
           "tokens": client.models.count_tokens(model=model, contents="one two three").total_tokens}
except errors.APIError as exc:
    details = (exc.details or {}).get("error", {}).get("details", [])
    reasons = [d.get("reason") for d in details if d.get("reason")]
    out = {"error": type(exc).__name__, "code": exc.code, "status": exc.status, "message": exc.message,
           "reasons": reasons}
print(json.dumps(out))
"""


def world(scenario: str, vertex: bool) -> dict:
    return on_vertex(scenario) if vertex else scenario_world(scenario)


def run_app(emu, tmp_path, shell: dict | None = None) -> dict:
    """The app after `source env.sh` in a shell that already exports *shell*."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NO_GCE_CHECK": "true", **(shell or {})}
    command = f'source {emu.credentials["env"]} && {sys.executable} -c "$APP"'
    done = subprocess.run(
        ["bash", "-c", command],
        env={**env, "APP": APP, "APP_MODEL": emu.model},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "conflicting values" not in done.stderr, done.stderr[-2000:]  # google-genai's surface-flag warning
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("vertex", [False, True], ids=["gemini-api", "vertex"])
def test_plain_client_after_env_sh_is_healthy(gemini_emulator, tmp_path, vertex):
    """Healthy on the scenario's surface even when the user's shell had exported the other surface's flags."""
    other = "false" if vertex else "true"
    shell = {"GOOGLE_GENAI_USE_ENTERPRISE": other, "GOOGLE_GENAI_USE_VERTEXAI": other}
    out = run_app(gemini_emulator(world("healthy", vertex)), tmp_path, shell)
    reply = "Hello from the gemini-doctor emulator."
    assert out == {"text": reply, "stream": reply, "async": reply, "tokens": 3}


@pytest.mark.parametrize(
    ("scenario", "vertex", "code", "reason"),
    [
        ("service_disabled", False, 403, "SERVICE_DISABLED"),
        ("api_key_api_restricted", False, 403, "API_KEY_SERVICE_BLOCKED"),
        ("iam_permission_missing", True, 403, "IAM_PERMISSION_DENIED"),
        ("billing_disabled", True, 403, "BILLING_DISABLED"),
    ],
)
def test_plain_client_after_env_sh_raises_googles_error(
    gemini_emulator, tmp_path, scenario, vertex, code, reason
):
    out = run_app(gemini_emulator(world(scenario, vertex)), tmp_path)
    assert out["error"] == "ClientError" and out["code"] == code and out["status"] == "PERMISSION_DENIED", out
    assert out["reasons"] == [reason] and out["message"]


def test_plain_client_with_a_users_adc_file_needs_no_token_uri(gemini_emulator, tmp_path):
    """A user's ADC file (what `gcloud auth application-default login` writes) works as it is: google-auth
    refreshes such files only at Google's URL, so the file carries an access token the emulator issued."""
    reply = "Hello from the gemini-doctor emulator."
    out = run_app(gemini_emulator(on_vertex("healthy", principal=DEV)), tmp_path)
    assert out == {"text": reply, "stream": reply, "async": reply, "tokens": 3}, out
    out = run_app(gemini_emulator(on_vertex("quota_project_denied", principal=DEV)), tmp_path)
    assert (out["code"], out["status"], out["reasons"]) == (
        403,
        "PERMISSION_DENIED",
        ["USER_PROJECT_DENIED"],
    ), out
