"""The OpenAI SDK against the Gemini API's OpenAI-compatible endpoint of the emulator, scenario by
scenario."""

import asyncio

import openai
import pytest
from google.auth.transport.requests import Request

from emulator_clients import google_credentials, on_vertex
from gemini_doctor.emulator.content import REPLY
from gemini_doctor.emulator.scenarios import scenario_names, scenario_world
from test_emulator_fidelity import EXPECTED

HEALTHY_APP = scenario_world("healthy")["client"]
KEY, MODEL = HEALTHY_APP["api_key"], HEALTHY_APP["model"]
# The SDK's exception type for each HTTP status Google answers with.
SDK_ERRORS = {
    400: openai.BadRequestError,
    403: openai.PermissionDeniedError,
    404: openai.NotFoundError,
    429: openai.RateLimitError,
    503: openai.InternalServerError,
}
# Scenarios the OpenAI endpoint cannot show: Vertex callers, tuned models (not served on /openai/), and a
# proxy's extra Bearer (the SDK already sends the key as the Bearer; two credentials are tested on their own
# below).
NOT_HERE = {
    name for name in scenario_names() if scenario_world(name)["client"].get("surface") == "vertex"
} | {"resource_permission", "credential_sent_wrong"}


def sdk(emu, api_key=None, **options) -> openai.OpenAI:
    return openai.OpenAI(
        api_key=KEY if api_key is None else api_key,
        base_url=f"{emu.url}/v1beta/openai/",
        max_retries=0,
        **options,
    )


def app_key(emu) -> str:
    """What the scenario's app passes as api_key: its API key, an OAuth access token, or nothing."""
    if emu.api_key or not emu.client.get("principal"):
        return emu.api_key or ""
    credentials = google_credentials(emu)
    credentials.refresh(Request())
    return credentials.token


def test_healthy_chat_stream_and_models(gemini_emulator):
    client = sdk(gemini_emulator("healthy"))
    reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Say hello"}])
    assert reply.choices[0].message.content == REPLY and reply.usage.total_tokens > 0
    stream = client.chat.completions.create(
        model=f"models/{MODEL}", stream=True, messages=[{"role": "user", "content": "Say hello"}]
    )
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream) == REPLY
    ids = [model.id for model in client.models.list()]
    assert f"models/{MODEL}" in ids and "models/gemini-1.0-pro" not in ids
    assert client.models.retrieve(MODEL).id == f"models/{MODEL}"


def test_async_client(gemini_emulator):
    emu = gemini_emulator("healthy")

    async def ask():
        # closed here: left to the garbage collector, its __del__ would schedule aclose() on whatever event
        # loop runs then (another test's check), whose log would show the task's failure
        async with openai.AsyncOpenAI(
            api_key=KEY, base_url=f"{emu.url}/v1beta/openai/", max_retries=0
        ) as client:
            return await client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "hi"}]
            )

    assert asyncio.run(ask()).choices[0].message.content == REPLY


def test_two_credentials_are_googles_400(gemini_emulator):
    client = sdk(gemini_emulator("healthy"), default_headers={"x-goog-api-key": KEY})
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    assert raised.value.body == [
        {
            "error": {
                "code": 400,
                "status": "INVALID_ARGUMENT",
                "message": "Multiple authentication credentials received. Please pass only one.",
            }
        }
    ]
    assert str(raised.value).startswith("Error code: 400")  # SDKs before 1.100 also printed the body here


def test_an_unserved_path_is_a_bodiless_404(gemini_emulator):
    with pytest.raises(openai.NotFoundError) as raised:
        sdk(gemini_emulator("healthy")).responses.create(model=MODEL, input="hi")
    assert raised.value.response.content == b""


def test_no_key_is_refused_by_the_sdk_before_any_call(gemini_emulator):
    emu = gemini_emulator("credentials_missing")
    with pytest.raises(openai.OpenAIError, match="Missing credentials"):
        sdk(emu, api_key=app_key(emu))
    assert emu.stats()["requests"] == 0


@pytest.mark.parametrize("scenario", sorted(set(EXPECTED) - NOT_HERE - {"credentials_missing"}))
def test_each_failure_raises_the_sdks_error_with_googles_status(gemini_emulator, scenario):
    code, status, reason, domain = EXPECTED[scenario]
    emu = gemini_emulator(scenario)
    client = sdk(emu, api_key=app_key(emu))
    with pytest.raises(SDK_ERRORS[code]) as raised:
        for _ in range(emu.client.get("calls", 1)):
            client.chat.completions.create(
                model=emu.model, messages=[{"role": "user", "content": "Say hello"}]
            )
    error = raised.value
    assert error.status_code == code
    if status is None:  # Google's front end answers with an HTML page, not a status body
        return
    assert isinstance(error.body, list) and len(error.body) == 1, error.body
    body = error.body[0]["error"]
    assert body["status"] == status and body["code"] == code and body["message"]
    reasons = [(d.get("reason"), d.get("domain")) for d in body.get("details", []) if "reason" in d]
    assert reasons == ([(reason, domain)] if reason else []), reasons


def test_vertex_endpoint_chat_stream_and_googles_errors(gemini_emulator):
    """Vertex AI's OpenAI-compatible endpoint (projects/P/locations/L/endpoints/openapi), with an access token
    as the key: healthy chat and stream; a missing role is the SDK's PermissionDeniedError with Google's body
    in a list."""
    client = gemini_emulator(on_vertex("healthy")).openai_client(max_retries=0)
    messages = [{"role": "user", "content": "Say hello"}]
    reply = client.chat.completions.create(model=f"google/{MODEL}", messages=messages)
    assert reply.choices[0].message.content == REPLY and reply.model == f"google/{MODEL}"
    stream = client.chat.completions.create(model=f"google/{MODEL}", messages=messages, stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream) == REPLY
    for scenario, error, status, text in [
        (
            "iam_permission_missing",
            openai.PermissionDeniedError,
            "PERMISSION_DENIED",
            (
                "Permission 'aiplatform.endpoints.predict' denied on resource "
                "'//aiplatform.googleapis.com/projects/acme-prod/locations/global/endpoints/openapi'"
            ),
        ),
        (
            "model_not_in_region",
            openai.NotFoundError,
            "NOT_FOUND",
            "Publisher Model `projects/acme-prod/locations/us-west1/",
        ),
        ("quota_limit_zero", openai.RateLimitError, "RESOURCE_EXHAUSTED", "limit: 0"),
    ]:
        emu = gemini_emulator(on_vertex(scenario))
        with pytest.raises(error) as raised:
            emu.openai_client(max_retries=0).chat.completions.create(
                model=f"google/{MODEL}", messages=messages
            )
        body = raised.value.body
        assert (
            isinstance(body, list)
            and body[0]["error"]["status"] == status
            and text in body[0]["error"]["message"]
        ), body
