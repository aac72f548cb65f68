"""A plain `genai.Client()` after `source env.sh` reaches the emulator, on the Gemini API and on Vertex AI."""

import sys

import pytest

from app_driver import AppDriver
from emulator_clients import on_vertex
from gemini_doctor.emulator.scenarios import DEV, scenario_world

# The app: nothing but genai.Client(); sync, stream, async and countTokens; returns what happened.
APP = """
import asyncio, os
from google import genai
from google.genai import errors

def run():
    client = genai.Client()
    hello = {"model": os.environ["APP_MODEL"], "contents": "Say hello"}
    try:
        return {"text": client.models.generate_content(**hello).text,
                "stream": "".join(c.text for c in client.models.generate_content_stream(**hello)),
                "async": asyncio.run(client.aio.models.generate_content(**hello)).text,
                "tokens": client.models.count_tokens(**{**hello, "contents": "one two three"}).total_tokens}
    except errors.APIError as exc:
        details = (exc.details or {}).get("error", {}).get("details", [])
        reasons = [d.get("reason") for d in details if d.get("reason")]
        return {"error": type(exc).__name__, "code": exc.code, "status": exc.status, "message": exc.message,
                "reasons": reasons}
"""


def world(scenario: str, vertex: bool) -> dict:
    return on_vertex(scenario) if vertex else scenario_world(scenario)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app in one interpreter for the module (google-genai is imported once)."""
    with AppDriver(sys.executable, APP, tmp_path_factory.mktemp("home")) as driver:
        yield driver


def run_app(app, emu, shell: dict | None = None) -> dict:
    """What the app does after `source env.sh` of *emu*, in a shell that already exports *shell*."""
    out, stderr = app.run(emu.credentials["env"], {**(shell or {}), "APP_MODEL": emu.model})
    assert "conflicting values" not in stderr, stderr[-2000:]  # google-genai's surface-flag warning
    return out


@pytest.mark.parametrize("vertex", [False, True], ids=["gemini-api", "vertex"])
def test_plain_client_after_env_sh_is_healthy(gemini_emulator, app, vertex):
    """Healthy on the scenario's surface even when the user's shell had exported the other surface's flags."""
    other = "false" if vertex else "true"
    shell = {"GOOGLE_GENAI_USE_ENTERPRISE": other, "GOOGLE_GENAI_USE_VERTEXAI": other}
    out = run_app(app, gemini_emulator(world("healthy", vertex)), shell)
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
def test_plain_client_after_env_sh_raises_googles_error(gemini_emulator, app, scenario, vertex, code, reason):
    out = run_app(app, gemini_emulator(world(scenario, vertex)))
    assert out["error"] == "ClientError" and out["code"] == code and out["status"] == "PERMISSION_DENIED", out
    assert out["reasons"] == [reason] and out["message"]


def test_plain_client_with_a_users_adc_file_needs_no_token_uri(gemini_emulator, app):
    """A user's ADC file (what `gcloud auth application-default login` writes) works as it is: google-auth
    refreshes such files only at Google's URL, so the file carries an access token the emulator issued."""
    reply = "Hello from the gemini-doctor emulator."
    out = run_app(app, gemini_emulator(on_vertex("healthy", principal=DEV)))
    assert out == {"text": reply, "stream": reply, "async": reply, "tokens": 3}, out
    out = run_app(app, gemini_emulator(on_vertex("quota_project_denied", principal=DEV)))
    assert (out["code"], out["status"], out["reasons"]) == (
        403,
        "PERMISSION_DENIED",
        ["USER_PROJECT_DENIED"],
    ), out
