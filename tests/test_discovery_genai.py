"""Discovery decides as the installed google-genai does: for each environment, the real client is built from
the same environment and must agree on the surface, the key, the host, and whether it starts at all."""

import json
import os
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google import genai

from gemini_doctor.google.services import host
from gemini_doctor.probes.discovery import discover

KEY, OTHER = "AQ.Ab8RN6Ldiscovery-test-key-000000000000", "AIzaSyD-discovery-test-key-0000000000000"


@pytest.fixture(scope="module")
def sa_file(tmp_path_factory):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path = tmp_path_factory.mktemp("sa") / "sa.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "sa-project",
                "private_key_id": "k1",
                "private_key": pem,
                "client_email": "app@sa-project.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": "http://127.0.0.1:9/token",
            }
        )
    )
    return str(path)


CASES = {
    "gemini key": {"GEMINI_API_KEY": KEY},
    "GOOGLE_API_KEY first": {"GOOGLE_API_KEY": KEY, "GEMINI_API_KEY": OTHER},
    "empty GOOGLE_API_KEY": {"GOOGLE_API_KEY": "", "GEMINI_API_KEY": KEY},
    "key with white space": {"GEMINI_API_KEY": f" {KEY}\n"},
    "service account only": {"GOOGLE_APPLICATION_CREDENTIALS": "SA"},
    "nothing": {},
    "vertex 'yes' is not true": {"GOOGLE_GENAI_USE_VERTEXAI": "yes", "GEMINI_API_KEY": KEY},
    "vertex eu": {
        "GOOGLE_GENAI_USE_VERTEXAI": "true",
        "GOOGLE_APPLICATION_CREDENTIALS": "SA",
        "GOOGLE_CLOUD_PROJECT": "p",
        "GOOGLE_CLOUD_LOCATION": "eu",
    },
    "vertex us-central1": {
        "GOOGLE_GENAI_USE_VERTEXAI": "True",
        "GOOGLE_APPLICATION_CREDENTIALS": "SA",
        "GOOGLE_CLOUD_PROJECT": "p",
        "GOOGLE_CLOUD_LOCATION": "us-central1",
    },
    "vertex typo location": {
        "GOOGLE_GENAI_USE_VERTEXAI": "1",
        "GOOGLE_APPLICATION_CREDENTIALS": "SA",
        "GOOGLE_CLOUD_LOCATION": "us-central",
    },
    "vertex project from the key file": {
        "GOOGLE_GENAI_USE_VERTEXAI": "true",
        "GOOGLE_APPLICATION_CREDENTIALS": "SA",
    },
    "vertex without credentials": {"GOOGLE_GENAI_USE_VERTEXAI": "true"},
    "enterprise wins": {
        "GOOGLE_GENAI_USE_ENTERPRISE": "1",
        "GOOGLE_GENAI_USE_VERTEXAI": "false",
        "GEMINI_API_KEY": KEY,
    },
    "enterprise off wins": {
        "GOOGLE_GENAI_USE_ENTERPRISE": "false",
        "GOOGLE_GENAI_USE_VERTEXAI": "true",
        "GEMINI_API_KEY": KEY,
    },
    "express mode": {"GOOGLE_GENAI_USE_VERTEXAI": "true", "GEMINI_API_KEY": KEY},
    "env project beats env key": {
        "GOOGLE_GENAI_USE_VERTEXAI": "true",
        "GEMINI_API_KEY": KEY,
        "GOOGLE_CLOUD_PROJECT": "p",
        "GOOGLE_APPLICATION_CREDENTIALS": "SA",
    },
}


def _client(env: dict, monkeypatch):
    """What google-genai makes of *env*: (vertex?, key, host) or the exception it raises."""
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        api = genai.Client()._api_client
    except Exception as exc:  # noqa: BLE001 - what the app would see
        return exc
    return bool(api.vertexai), api.api_key, urlsplit(api._http_options.base_url).netloc


@pytest.mark.parametrize("case", sorted(CASES))
# the cases where the two variables disagree are the point: google-genai warns, as it should
@pytest.mark.filterwarnings("ignore:.*are set with conflicting values:UserWarning")
def test_discovery_agrees_with_google_genai(case, sa_file, tmp_path, monkeypatch):
    env = {name: (sa_file if value == "SA" else value) for name, value in CASES[case].items()}
    env.update(HOME=str(tmp_path), CLOUDSDK_CONFIG=str(tmp_path / "gcloud"), NO_GCE_CHECK="true")
    setup = discover(dict(env))
    real = _client(env, monkeypatch)
    if isinstance(real, Exception):
        assert setup.start_error, (case, real)
        assert type(real).__name__ in setup.start_error and str(real).split(".")[0] in setup.start_error
        return
    assert setup.start_error is None, (case, setup.start_error)
    vertex, key, real_host = real
    assert (setup.surface == "vertex") == vertex
    assert (setup.api_key if setup.uses_key else None) == key
    service = "aiplatform" if vertex else "generativelanguage"
    assert urlsplit(host(service, None if setup.uses_key else setup.location)).netloc == real_host


@pytest.mark.parametrize("location", ["global", "us", "eu", "us-central1", "europe-west4"])
def test_vertex_hosts_are_the_ones_google_genai_builds(location):
    real = genai.Client(
        vertexai=True, credentials=object(), project="p", location=location
    )._api_client._http_options.base_url
    assert host("aiplatform", location) + "/" == real
    express = genai.Client(vertexai=True, api_key=KEY)._api_client._http_options.base_url
    assert host("aiplatform", None) + "/" == express
