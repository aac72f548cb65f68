"""Fidelity of the REST details real clients depend on: stream framing, countTokens, method names, files,
publisher models."""

import pytest
import requests
from google.api_core import rest_streaming
from google.genai import errors, types
from google.protobuf import struct_pb2

from emulator_clients import google_credentials
from gemini_doctor.emulator.scenarios import APP_SA, scenario_world

HEALTHY_APP = scenario_world("healthy")["client"]
KEY, MODEL = HEALTHY_APP["api_key"], HEALTHY_APP["model"]
OTHER_PROJECT_KEY = "AQ.Ab8RN6LemulatedAuthKeySharedBilling0000000000000000"  # fake


def gemini(emu, key=KEY):
    from google import genai

    return genai.Client(api_key=key, http_options=types.HttpOptions(base_url=emu.url, api_version="v1beta"))


def vertex(emu):
    from google import genai

    creds = google_credentials(emu)
    return genai.Client(
        vertexai=True,
        project="acme-prod",
        location="global",
        credentials=creds,
        http_options=types.HttpOptions(base_url=emu.url),
    )


def test_a_stream_without_alt_sse_is_one_json_array_google_api_core_can_read(gemini_emulator):
    emu = gemini_emulator("healthy")
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    response = requests.post(
        f"{emu.url}/v1beta/models/{MODEL}:streamGenerateContent",
        json=body,
        headers={"x-goog-api-key": KEY},
        stream=True,
        timeout=10,
    )
    chunks = list(
        rest_streaming.ResponseIterator(response, struct_pb2.Struct)
    )  # Google's own REST stream reader
    assert chunks and chunks[0]["candidates"][0]["finishReason"] == "STOP"
    sse = requests.post(
        f"{emu.url}/v1beta/models/{MODEL}:streamGenerateContent?alt=sse",
        json=body,
        headers={"x-goog-api-key": KEY},
        timeout=10,
    )
    assert sse.headers["content-type"].startswith("text/event-stream") and sse.text.startswith("data: ")


def test_count_tokens_never_spends_generation_quota(gemini_emulator):
    world = scenario_world("healthy")
    world["projects"][0]["quota"] = {MODEL: 1}
    client = gemini(gemini_emulator(world))
    for _ in range(5):
        assert client.models.count_tokens(model=MODEL, contents="a b c").total_tokens == 3
    assert client.models.generate_content(model=MODEL, contents="hi").text  # the quota is still there
    with pytest.raises(errors.ClientError) as raised:
        client.models.generate_content(model=MODEL, contents="hi")
    assert raised.value.code == 429


def _method_name(error: errors.APIError) -> str:
    return next(d["metadata"]["methodName"] for d in error.details["error"]["details"] if d.get("reason"))


def test_method_names_in_error_metadata(gemini_emulator, tmp_path):
    client = gemini(gemini_emulator("api_key_api_restricted"))
    calls = {
        "ModelService.GetModel": lambda: client.models.get(model=MODEL),
        "ModelService.ListModels": lambda: list(client.models.list(config={"query_base": True})),
        "FileService.ListFiles": lambda: list(client.files.list()),
        "FileService.GetFile": lambda: client.files.get(name="files/abc"),
        "GenerativeService.CountTokens": lambda: client.models.count_tokens(model=MODEL, contents="hi"),
    }
    for rpc, call in calls.items():
        with pytest.raises(errors.ClientError) as raised:
            call()
        assert _method_name(raised.value) == f"google.ai.generativelanguage.v1beta.{rpc}"


def test_files_upload_list_and_another_projects_key_is_refused(gemini_emulator, tmp_path):
    world = scenario_world("healthy")
    world["api_keys"].append(
        {
            "key": OTHER_PROJECT_KEY,
            "name": "projects/987654321098/locations/global/keys/k9",
            "project": "shared-billing",
            "kind": "auth",
        }
    )
    emu = gemini_emulator(world)
    document = tmp_path / "notes.txt"
    document.write_text("hello " * 1000)
    client, other = (
        gemini(emu),
        gemini(emu, OTHER_PROJECT_KEY),
    )  # held: a dropped client closes its connection pool
    uploaded = client.files.upload(file=document, config={"display_name": "notes", "mime_type": "text/plain"})
    assert (
        uploaded.name.startswith("files/") and uploaded.size_bytes == 6000 and uploaded.state.name == "ACTIVE"
    )
    assert [f.name for f in client.files.list()] == [uploaded.name]
    assert client.files.get(name=uploaded.name).display_name == "notes"
    with pytest.raises(errors.ClientError) as raised:  # a file is its project's: the File-permission cause
        other.files.get(name=uploaded.name)
    assert raised.value.code == 403 and "permission to access the File" in raised.value.message
    assert list(other.files.list()) == []
    client.files.delete(name=uploaded.name)
    assert list(client.files.list()) == []


def test_vertex_publisher_models_list_and_names(gemini_emulator):
    emu = gemini_emulator("healthy")
    emu.client.update(surface="vertex", api_key=None, principal=APP_SA)
    client = vertex(emu)
    names = [m.name for m in client.models.list()]
    assert f"publishers/google/models/{MODEL}" in names and not any("gemini-1.0-pro" in n for n in names)
    refused = requests.get(
        f"{emu.url}/v1beta1/publishers/google/models", headers={"x-goog-api-key": KEY}, timeout=10
    )
    assert refused.status_code == 401  # an AI Studio key is not a Vertex credential
    (info,) = refused.json()["error"]["details"]
    assert (
        info["metadata"]["method"] == "google.cloud.aiplatform.v1beta1.ModelGardenService.ListPublisherModels"
    )
