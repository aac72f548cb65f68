"""Calling the emulator as a user's app would, per a scenario's ``client`` section.

With google-genai installed the call goes through it (and raises what it raises); without it, a
plain HTTP call with the same credential. Used by ``gemini-doctor demo`` and by our tests.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from ..google.access import CLOUD_PLATFORM, is_service_account
from .credentials import read_env_script
from .scenarios import MODEL

PROMPT = "Say hello"


def shell_env(env_script: Path, home: Path) -> dict[str, str]:
    """The environment after `source env.sh`, isolated from this machine's gcloud and metadata server
    (the emulator's metadata server stays reachable when env.sh points at it)."""
    env = {
        "HOME": str(home),
        "CLOUDSDK_CONFIG": str(home / "gcloud"),
        "NO_GCE_CHECK": "true",
        "PATH": "/usr/bin:/bin",
        **read_env_script(env_script),
    }
    if "GCE_METADATA_IP" in env:
        del env["NO_GCE_CHECK"]
    return env


def google_credentials(client: dict, credentials: dict[str, Path], url: str):
    """The google-auth credentials the app loads from the file env.sh points at."""
    from google.oauth2 import credentials as user_credentials
    from google.oauth2 import service_account

    principal = client["principal"]
    path = str(credentials[principal])
    if is_service_account(principal):
        return service_account.Credentials.from_service_account_file(
            path, scopes=client.get("scopes") or [CLOUD_PLATFORM]
        )
    return user_credentials.Credentials.from_authorized_user_file(
        path, scopes=client.get("scopes")
    ).with_token_uri(f"{url}/token")


def describe(client: dict) -> str:
    """One line saying what the app does, for people."""
    model = client.get("model", MODEL)
    if client.get("surface") == "vertex" and client.get("api_key"):
        return f'generate_content(model="{model}") on Vertex AI (vertexai=True) with an API key'
    if client.get("surface") == "vertex":
        who = client.get("principal") or "no credential"
        return f'generate_content(model="{model}") on Vertex AI ({client.get("location")}) as {who}'
    if client.get("api_key"):
        return f'generate_content(model="{model}") on the Gemini API with an API key'
    if client.get("principal"):
        return f"generateContent on the Gemini API with OAuth as {client['principal']}"
    return "generateContent on the Gemini API with no credential (an empty GEMINI_API_KEY)"


def call(client: dict, credentials: dict[str, Path], url: str):
    """Make the scenario's call; return the response, or raise exactly what the SDK raises."""
    try:
        from google import genai
        from google.genai import types
    except ImportError:
        return _plain_http(client, credentials, url)
    model = client.get("model", MODEL)
    headers = dict(client.get("headers") or {})
    if client.get("surface") == "vertex" and client.get("api_key"):
        sdk = genai.Client(
            vertexai=True,
            api_key=client["api_key"],
            http_options=types.HttpOptions(base_url=url, headers=headers),
        )
    elif client.get("surface") == "vertex":
        options = {"project": client["project"], "location": client["location"]}
        # The emulator sees the host google-genai would call (Google refuses hosts it does not serve); asking
        # a client with placeholder credentials sends nothing.
        host = urlsplit(
            genai.Client(vertexai=True, credentials=object(), **options)._api_client._http_options.base_url
        ).netloc
        sdk = genai.Client(
            vertexai=True,
            credentials=google_credentials(client, credentials, url),
            **options,
            http_options=types.HttpOptions(base_url=url, headers={**headers, "host": host}),
        )
    elif client.get("api_key"):
        sdk = genai.Client(
            api_key=client["api_key"],
            http_options=types.HttpOptions(base_url=url, api_version="v1beta", headers=headers),
        )
    else:  # google-genai refuses OAuth (and no key) for the Gemini API: such apps call the REST API directly
        return _plain_http(client, credentials, url)
    response = None
    for _ in range(client.get("calls", 1)):
        response = sdk.models.generate_content(model=model, contents=PROMPT)
    return response


def _plain_http(client: dict, credentials: dict[str, Path], url: str):
    import httpx

    from ..probes.transport import tls

    model = client.get("model", MODEL)
    body = {"contents": [{"role": "user", "parts": [{"text": PROMPT}]}]}
    headers = dict(client.get("headers") or {})
    if client.get("api_key"):
        headers["x-goog-api-key"] = client["api_key"]
    elif client.get("principal"):
        from ..probes.auth import Request  # google-auth's transport over http.client: no `requests` to import

        creds = google_credentials(client, credentials, url)
        creds.refresh(Request())
        headers["authorization"] = f"Bearer {creds.token}"
        if getattr(creds, "quota_project_id", None):
            headers["x-goog-user-project"] = creds.quota_project_id
    if client.get("surface") == "vertex":
        path = (
            f"/v1beta1/projects/{client['project']}/locations/{client['location']}"
            f"/publishers/google/models/{model}:generateContent"
        )
    else:
        resource = model if model.startswith("tunedModels/") else f"models/{model}"
        path = f"/v1beta/{resource}:generateContent"
    response = None
    for _ in range(client.get("calls", 1)):
        response = httpx.post(url + path, json=body, headers=headers, timeout=30, verify=tls())
    return response
