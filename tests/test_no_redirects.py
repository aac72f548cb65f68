"""Credentials go only to the host they were issued for: a token endpoint that redirects elsewhere
gets a failed refresh, and the other host never sees the refresh token or the signed assertion."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
from google.auth import exceptions as auth_exceptions
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from gemini_doctor.cli.fix_cmd import _token
from gemini_doctor.probes.auth import refresh as _refresh

REFRESH = "1//0gREFRESHcanaryNeverElsewhere0123456789"


class _Server:
    """A loopback HTTP server that records every request; *redirect_to* makes it answer 307 there."""

    def __init__(self, redirect_to: str | None = None) -> None:
        self.seen: list[bytes] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                owner.seen.append(self.path.encode() + b" " + bytes(self.headers) + body)
                if redirect_to:
                    self.send_response(307)
                    self.send_header("location", redirect_to + self.path)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                reply = json.dumps({"access_token": "ya29.stolen", "expires_in": 3600}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(
            target=self.httpd.serve_forever, args=(0.01,), daemon=True
        ).start()  # shutdown waits a poll

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers():
    elsewhere = _Server()
    token_host = _Server(redirect_to=elsewhere.url)
    yield token_host, elsewhere
    token_host.close()
    elsewhere.close()


def _service_account(token_uri: str):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    return service_account.Credentials.from_service_account_info(
        {
            "type": "service_account",
            "client_email": "sa@p.iam.gserviceaccount.com",
            "private_key": pem,
            "private_key_id": "k",
            "token_uri": token_uri,
            "project_id": "p",
        },
        scopes=["https://www.googleapis.com/auth/cloud-platform"],
    )


@pytest.mark.parametrize("refresh", [_refresh, _token], ids=["check's probes", "fix --apply"])
@pytest.mark.parametrize("kind", ["authorized_user", "service_account"])
def test_a_redirecting_token_endpoint_gets_nothing_sent_elsewhere(servers, refresh, kind):
    token_host, elsewhere = servers
    credentials = (
        user_credentials.Credentials(
            None,
            refresh_token=REFRESH,
            client_id="c",
            client_secret="GOCSPX-secretcanary",
            token_uri=token_host.url + "/token",
        )
        if kind == "authorized_user"
        else _service_account(token_host.url + "/token")
    )
    with pytest.raises(auth_exceptions.RefreshError):
        refresh(credentials)
    assert len(token_host.seen) == 1 and elsewhere.seen == []
    assert credentials.token is None


def test_without_the_redirect_the_same_refresh_works(servers):
    _, elsewhere = servers
    credentials = user_credentials.Credentials(
        None, refresh_token=REFRESH, client_id="c", client_secret="s", token_uri=elsewhere.url + "/token"
    )
    _refresh(credentials)
    assert credentials.token == "ya29.stolen" and quote(REFRESH, safe="").encode() in elsewhere.seen[0]


def test_probe_and_iam_calls_do_not_follow_redirects_either(servers):
    import asyncio

    from gemini_doctor.probes.transport import GoogleHttp

    token_host, elsewhere = servers

    async def call():
        http = GoogleHttp(token_host.url, 5)
        try:
            return await http.call(
                "POST",
                "iamcredentials",
                "/v1/projects/-/serviceAccounts/sa:generateAccessToken",
                token="ya29.callerTokenCanary",
                json={"scope": ["x"]},
            )
        finally:
            await http.aclose()

    assert asyncio.run(call()).status == 307
    assert elsewhere.seen == []


def test_the_token_request_goes_through_the_environments_proxy(monkeypatch):
    from gemini_doctor.probes.auth import refresh

    proxy = _Server()  # answers every POST with a token; records the request line's target
    try:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        credentials = user_credentials.Credentials(
            None,
            refresh_token=REFRESH,
            client_id="c",
            client_secret="s",
            token_uri="http://token.example/token",
        )
        refresh(credentials)
        assert credentials.token == "ya29.stolen" and proxy.seen[0].startswith(b"http://token.example/token ")
    finally:
        proxy.close()
