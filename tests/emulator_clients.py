"""How a user's app calls the emulator with the real SDKs, per a scenario's ``client`` section."""

from __future__ import annotations

import httpx
from google import genai
from google.auth.transport.requests import AuthorizedSession
from google.genai import types
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"


def google_credentials(emu):
    """The google-auth credentials the app would load from the file env.sh points at."""
    principal = emu.client.get("principal")
    path = emu.credentials[principal]
    if principal.endswith(".gserviceaccount.com"):
        return service_account.Credentials.from_service_account_file(str(path), scopes=emu.client.get("scopes") or [CLOUD_PLATFORM])
    creds = user_credentials.Credentials.from_authorized_user_file(str(path), scopes=emu.client.get("scopes"))
    return creds.with_token_uri(f"{emu.url}/token")


def call(emu):
    """Make the scenario's call the way its app would; return the response (raises as the SDK raises)."""
    client = emu.client
    options = types.HttpOptions(base_url=emu.url)
    if client.get("surface") == "vertex":
        sdk = genai.Client(vertexai=True, project=client["project"], location=client["location"],
                           credentials=google_credentials(emu), http_options=options)
    elif client.get("api_key"):
        sdk = genai.Client(api_key=client["api_key"], http_options=types.HttpOptions(base_url=emu.url, api_version="v1beta"))
    elif client.get("principal"):   # OAuth on the Gemini API: google-genai refuses it, so apps use google-auth directly
        session = AuthorizedSession(google_credentials(emu))
        return session.post(f"{emu.url}/v1beta/models/{emu.model}:generateContent", json={"contents": [{"parts": [{"text": "hi"}]}]})
    else:                           # no credential at all (an empty env var, a proxy that dropped the key)
        return httpx.post(f"{emu.url}/v1beta/models/{emu.model}:generateContent", json={"contents": []})
    response = None
    for _ in range(client.get("calls", 1)):
        response = sdk.models.generate_content(model=emu.model, contents="hi")
    return response
