"""Service-account self-signed JWTs as bearers (what the Vertex SDK's REST transport sends), accepted as
Google does.

The flow is driven here through google-auth (``always_use_jwt_access=True``;
``AuthorizedSession(default_host=...)`` as Google's REST transports use it, for the audience form) and
google-genai (the scope form); the Vertex SDK itself runs in tests/test_vertexai_sdk.py.
"""

from google import genai
from google.auth.transport.requests import AuthorizedSession
from google.genai import types
from google.oauth2 import service_account

from emulator_clients import tokens_issued_to
from gemini_doctor.emulator.scenarios import APP_SA, scenario_world


def generate(emu, credentials, method="generate_content"):
    """One call on Vertex through google-genai (the client is held for the call: a dropped one closes its
    pool)."""
    client = genai.Client(
        vertexai=True,
        project="acme-prod",
        location="global",
        credentials=credentials,
        http_options=types.HttpOptions(base_url=emu.url),
    )
    return getattr(client.models, method)(model=emu.model, contents="a b")


def key_file(emu) -> str:
    return str(emu.credentials[APP_SA])


def test_scoped_self_signed_jwt_needs_no_token_endpoint(gemini_emulator):
    emu = gemini_emulator("healthy")
    credentials = service_account.Credentials.from_service_account_file(
        key_file(emu), scopes=["https://www.googleapis.com/auth/cloud-platform"], always_use_jwt_access=True
    )
    reply = generate(emu, credentials)
    assert reply.text and credentials.token.count(".") == 2  # the bearer was the JWT itself
    assert not tokens_issued_to(emu, APP_SA)  # the token endpoint was never asked


def session(emu, default_host: str) -> AuthorizedSession:
    """google-auth's session as Google's REST transports (the Vertex SDK's among them) build it: a key file,
    JWT access on, the API's host as the JWT's audience."""
    credentials = service_account.Credentials.from_service_account_file(
        key_file(emu), always_use_jwt_access=True
    )
    return AuthorizedSession(credentials, default_host=default_host)


def count_tokens(emu, default_host: str = "aiplatform.googleapis.com"):
    path = f"/v1/projects/acme-prod/locations/global/publishers/google/models/{emu.model}:countTokens"
    return session(emu, default_host).post(
        emu.url + path, json={"contents": [{"parts": [{"text": "a b"}]}]}, timeout=10
    )


def test_audience_self_signed_jwt_is_for_one_api(gemini_emulator):
    emu = gemini_emulator("healthy")
    reply = count_tokens(emu)
    assert reply.status_code == 200 and reply.json() == {"totalTokens": 2}
    assert not tokens_issued_to(emu, APP_SA)
    refused = count_tokens(emu, "storage.googleapis.com")  # a JWT for another API
    assert refused.status_code == 401 and refused.json()["error"]["status"] == "UNAUTHENTICATED"


def test_a_disabled_accounts_jwt_is_refused_and_iam_still_applies(gemini_emulator):
    world = scenario_world("healthy")
    world["service_accounts"][0]["disabled"] = True
    assert count_tokens(gemini_emulator(world)).status_code == 401
    denied = count_tokens(gemini_emulator("iam_permission_missing"))
    assert denied.status_code == 403 and "aiplatform.endpoints.predict" in denied.json()["error"]["message"]
