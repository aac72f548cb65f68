"""HTTP to Google for the probes: one async client, real hosts or one --endpoint for everything.

With --endpoint every request goes to that base URL, carrying the Host header the real request would
have, so the emulator (like Google's front end) refuses a host Google does not serve."""

from __future__ import annotations

import asyncio
import json as jsonlib
import os
import ssl
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

# httpx imports its command-line client (click, rich, pygments) unless that import fails:
# it is never used here.
sys.modules.setdefault("httpx._main", None)
import httpx  # noqa: E402 - after the guard above

from ..google.services import host  # noqa: E402 - after the httpx guard above
from .failures import proxy_in_use  # noqa: E402 - after the httpx guard above


@cache
def tls() -> ssl.SSLContext:
    """The TLS settings every client shares: verified against the CA bundle (and SSL_CERT_FILE /
    SSL_CERT_DIR). Made once per process: loading the bundle costs tens of milliseconds a client."""
    return httpx.create_ssl_context()


MAX_REPLY_BYTES = (
    1 << 20
)  # Google's answers to these calls are a few KiB: a bigger one is not Google's, and is cut off


class ReplyTooLarge(httpx.TransportError):
    """An answer longer than :data:`MAX_REPLY_BYTES`: read no further."""


@dataclass
class Reply:
    status: int
    body: dict
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def _details(self) -> list[dict]:
        error = self.body.get("error") if isinstance(self.body, dict) else None
        details = error.get("details") if isinstance(error, dict) else None
        return [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []

    @property
    def reasons(self) -> list[str]:
        """The ErrorInfo reasons of a Google error body."""
        return [d["reason"] for d in self._details() if isinstance(d.get("reason"), str)]

    def error_info(self, reason: str) -> dict:
        """The metadata of the ErrorInfo with *reason* in a Google error body (empty when there is none)."""
        found = (d.get("metadata") for d in self._details() if d.get("reason") == reason)
        return next((m for m in found if isinstance(m, dict)), {})

    @property
    def scope_refused(self) -> bool:
        """Refused for the token's scopes: says nothing about the project or the caller's roles."""
        return "ACCESS_TOKEN_SCOPE_INSUFFICIENT" in self.reasons

    @property
    def refused_before_the_resource(self) -> bool:
        """Refused for the token's scopes or because the API is off in the paying project: says nothing about
        the resource asked for or the caller's roles on it."""
        return self.scope_refused or "SERVICE_DISABLED" in self.reasons


def exchange_line(
    method: str, url: str, params: dict | None, headers: dict, reply: Reply, seconds: float
) -> str:
    """One HTTP exchange for the -v log: what was sent (secret values masked) and what came back."""
    query = "&".join(
        f"{name}={'…' if name in _SECRET_PARAMS else value}" for name, value in (params or {}).items()
    )
    sent = ", ".join(f"{name}: …" for name in headers)  # which credential headers went, never their values
    error = reply.body.get("error") if isinstance(reply.body, dict) else None
    said = (
        f" {error.get('status', '')} {str(error.get('message', ''))[:160]}" if isinstance(error, dict) else ""
    )
    return (
        f"{method} {url}{'?' + query if query else ''}"
        + (f" [{sent}]" if sent else "")
        + f" -> {reply.status}{said} ({seconds * 1000:.0f} ms)"
    )


_SECRET_PARAMS = frozenset({"key", "keyString", "access_token", "id_token", "refresh_token"})


class GoogleHttp:
    """Sends each probe's request to Google (or to *endpoint*) and counts the requests."""

    def __init__(
        self, endpoint: str | None, timeout: float, log: Callable[[str], None] | None = None
    ) -> None:
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self.timeout = timeout  # for each exchange as a whole, however slowly an answer trickles in
        self.requests = 0
        self.log = log  # gets one line per exchange (gemini-doctor check -v); secrets never reach it
        self.proxy = (
            None if endpoint else proxy_in_use(os.environ)
        )  # httpx honours HTTPS_PROXY for Google's hosts
        self._client = httpx.AsyncClient(
            timeout=timeout,
            trust_env=endpoint is None,
            follow_redirects=False,
            verify=False if self.endpoint and self.endpoint.startswith("http://") else tls(),
        )

    def url(self, service: str, path: str, location: str | None = None) -> str:
        """The URL the request goes to (the endpoint when one is set)."""
        return (self.endpoint + path) if self.endpoint else host(service, location) + path

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        token: str | None = None,
        key: str | None = None,
        location: str | None = None,
        json: dict | None = None,
        params: dict | None = None,
        headers: dict | None = None,
    ) -> Reply:
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
        try:
            async with asyncio.timeout(self.timeout):
                status, text = await self._exchange(method, url, json=json, params=params, headers=sent)
        except TimeoutError as exc:
            raise httpx.ReadTimeout(
                f"no whole answer within {self.timeout:g} s", request=httpx.Request(method, url)
            ) from exc
        try:
            body = jsonlib.loads(text)
        except (ValueError, RecursionError):
            body = {}
        reply = Reply(status, body if isinstance(body, dict) else {"list": body}, text)
        if self.log:
            self.log(exchange_line(method, url, params, sent, reply, time.perf_counter() - start))
        return reply

    async def _exchange(self, method: str, url: str, **request) -> tuple[int, str]:
        """The status and the text of the answer, read as a stream that stops at :data:`MAX_REPLY_BYTES`."""
        async with self._client.stream(method, url, **request) as response:
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_REPLY_BYTES:
                    raise ReplyTooLarge(
                        f"an answer of more than {MAX_REPLY_BYTES >> 20} MiB", request=response.request
                    )
                chunks.append(chunk)
            return response.status_code, b"".join(chunks).decode("utf-8", "replace")

    def note(self, line: str) -> None:
        """Log an exchange made outside :meth:`call` (google-auth's token refresh), for -v."""
        if self.log:
            self.log(line)

    async def aclose(self) -> None:
        await self._client.aclose()
