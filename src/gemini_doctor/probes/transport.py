"""HTTP to Google for the probes: one async client, real hosts or one --endpoint for everything.

With --endpoint every request goes to that base URL, carrying the Host header the real request would
have, so the emulator (like Google's front end) refuses a host Google does not serve."""

from __future__ import annotations

import os
import ssl
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

# httpx imports its command-line client (click, rich, pygments) unless that import fails: it is never used here.
sys.modules.setdefault("httpx._main", None)
import httpx  # noqa: E402 - after the guard above

from ..google.services import host  # noqa: E402 - after the httpx guard above
from .failures import proxy_in_use  # noqa: E402 - after the httpx guard above


@cache
def tls() -> ssl.SSLContext:
    """The TLS settings every client shares: verified against the CA bundle (and SSL_CERT_FILE /
    SSL_CERT_DIR). Made once per process: loading the bundle costs tens of milliseconds a client."""
    return httpx.create_ssl_context()


@dataclass
class Reply:
    status: int
    body: dict
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def reasons(self) -> list[str]:
        """The ErrorInfo reasons of a Google error body."""
        error = self.body.get("error") if isinstance(self.body, dict) else None
        details = error.get("details") if isinstance(error, dict) else None
        return [d["reason"] for d in details or () if isinstance(d, dict) and isinstance(d.get("reason"), str)]

    @property
    def scope_refused(self) -> bool:
        """Refused for the token's scopes: says nothing about the project or the caller's roles."""
        return "ACCESS_TOKEN_SCOPE_INSUFFICIENT" in self.reasons


def exchange_line(method: str, url: str, params: dict | None, headers: dict, reply: Reply, seconds: float) -> str:
    """One HTTP exchange for the -v log: what was sent (secret values masked) and what came back."""
    query = "&".join(f"{name}={'…' if name in _SECRET_PARAMS else value}" for name, value in (params or {}).items())
    sent = ", ".join(f"{name}: …" for name in headers)   # which credential headers went, never their values
    error = reply.body.get("error") if isinstance(reply.body, dict) else None
    said = f" {error.get('status', '')} {str(error.get('message', ''))[:160]}" if isinstance(error, dict) else ""
    return (f"{method} {url}{'?' + query if query else ''}" + (f" [{sent}]" if sent else "")
            + f" -> {reply.status}{said} ({seconds * 1000:.0f} ms)")


_SECRET_PARAMS = frozenset({"key", "keyString", "access_token", "id_token", "refresh_token"})


class GoogleHttp:
    """Sends each probe's request to Google (or to *endpoint*) and counts the requests."""

    def __init__(self, endpoint: str | None, timeout: float, log: Callable[[str], None] | None = None) -> None:
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self.requests = 0
        self.log = log            # gets one line per exchange (gemini-doctor check -v); secrets never reach it
        self.proxy = None if endpoint else proxy_in_use(os.environ)   # httpx honours HTTPS_PROXY for Google's hosts
        self._client = httpx.AsyncClient(timeout=timeout, trust_env=endpoint is None, follow_redirects=False,
                                         verify=False if self.endpoint and self.endpoint.startswith("http://") else tls())

    def url(self, service: str, path: str, location: str | None = None) -> str:
        """The URL the request goes to (the endpoint when one is set)."""
        return (self.endpoint + path) if self.endpoint else host(service, location) + path

    async def call(self, method: str, service: str, path: str, *, token: str | None = None, key: str | None = None,
                   location: str | None = None, json: dict | None = None, params: dict | None = None,
                   headers: dict | None = None) -> Reply:
        sent = dict(headers or {})
        if self.endpoint:
            sent["host"] = urlsplit(host(service, location)).netloc
        if token:
            sent["authorization"] = f"Bearer {token}"
        if key:
            sent["x-goog-api-key"] = key
        self.requests += 1
        url = self.url(service, path, location)
        start = time.perf_counter()
        response = await self._client.request(method, url, json=json, params=params, headers=sent)
        try:
            body = response.json()
        except ValueError:
            body = {}
        reply = Reply(response.status_code, body if isinstance(body, dict) else {"list": body}, response.text)
        if self.log:
            self.log(exchange_line(method, url, params, sent, reply, time.perf_counter() - start))
        return reply

    def note(self, line: str) -> None:
        """Log an exchange made outside :meth:`call` (google-auth's token refresh), for -v."""
        if self.log:
            self.log(line)

    async def aclose(self) -> None:
        await self._client.aclose()
