"""The HTTP google-auth refreshes tokens with, and check's token fetch, started before anything else.

A credential goes only to the host it was issued for: http.client never follows a redirect, so a 307 or 308
is an answer like any other (google-auth sees a failed refresh) and a refresh token or signed assertion is
never re-posted elsewhere. It is also the standard library: google-auth's usual transport pulls in requests
and urllib3 (a second HTTP stack, and most of check's start-up time). Like requests, it goes through the proxy
that HTTPS_PROXY / HTTP_PROXY name (NO_PROXY respected) unless told not to (--endpoint).
"""

from __future__ import annotations

import base64
import http.client
import os
import ssl
import threading
from concurrent.futures import Future
from functools import lru_cache
from urllib.parse import SplitResult, unquote, urlsplit

from google.auth import exceptions, transport

from .metadata_route import MetadataRoute, is_metadata_request


@lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """The one TLS context for Google's https hosts (built only when an https URL is called)."""
    return ssl.create_default_context()


class _Response(transport.Response):
    def __init__(self, status: int, headers: dict, data: bytes) -> None:
        self._status, self._headers, self._data = status, headers, data

    @classmethod
    def of(cls, response: http.client.HTTPResponse) -> _Response:
        return cls(
            response.status, {key.lower(): value for key, value in response.getheaders()}, response.read()
        )

    @property
    def status(self) -> int:
        return self._status

    @property
    def headers(self) -> dict:
        return self._headers

    @property
    def data(self) -> bytes:
        return self._data


def _proxy(scheme: str, hostname: str) -> SplitResult | None:
    """The proxy the environment names for *scheme*, unless NO_PROXY exempts *hostname*."""
    value = os.environ.get(f"{scheme}_proxy") or os.environ.get(f"{scheme.upper()}_PROXY")
    if not value:
        return None
    from urllib.request import proxy_bypass_environment

    return (
        None
        if proxy_bypass_environment(hostname)
        else urlsplit(value if "://" in value else f"http://{value}")
    )


DEFAULT_TIMEOUT = 10.0  # seconds a token endpoint may take to answer, when the caller does not say


# What google-auth hears from a machine without a metadata server: not Google's (no Metadata-Flavor header)
_NO_METADATA_SERVER = _Response(404, {}, b"")


class Request(transport.Request):
    """A google.auth transport: one http.client connection per request (through the environment's proxy
    when *trust_env*), each waiting at most *timeout* seconds for the endpoint (google-auth passes none of
    its own); google-auth's metadata requests follow *metadata* (the diagnosed environment's route)."""

    def __init__(
        self, trust_env: bool = True, timeout: float = DEFAULT_TIMEOUT, metadata: MetadataRoute | None = None
    ) -> None:
        self.trust_env = trust_env
        self.timeout = timeout
        self.metadata = metadata

    def __call__(self, url, method="GET", body=None, headers=None, timeout=None, **kwargs):
        if self.metadata is not None and is_metadata_request(headers or {}):
            url = self.metadata.target(url)
            if url is None:
                return _NO_METADATA_SERVER
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise exceptions.TransportError(f"unsupported URL scheme {parts.scheme!r}")
        target, headers = parts.path + (f"?{parts.query}" if parts.query else "") or "/", dict(headers or {})
        timeout = self.timeout if timeout is None else min(timeout, self.timeout)
        proxy = _proxy(parts.scheme, parts.hostname or "") if self.trust_env else None
        address = f"{proxy.hostname}:{proxy.port or 80}" if proxy else parts.netloc
        tunnel = {}
        if proxy and proxy.username:
            secret = base64.b64encode(
                f"{unquote(proxy.username)}:{unquote(proxy.password or '')}".encode()
            ).decode()
            tunnel = {"Proxy-Authorization": f"Basic {secret}"}
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(address, timeout=timeout, context=tls_context())
            if proxy:
                connection.set_tunnel(parts.hostname, parts.port or 443, headers=tunnel)
        else:
            connection = http.client.HTTPConnection(address, timeout=timeout)
            if proxy:
                target, headers = url, {**headers, **tunnel}  # a plain-HTTP proxy takes the absolute URL
        try:
            connection.request(method, target, body=body, headers=headers)
            return _Response.of(connection.getresponse())
        except (http.client.HTTPException, OSError) as exc:
            raise exceptions.TransportError(exc) from exc
        finally:
            connection.close()


def refresh(
    credentials,
    trust_env: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    metadata: MetadataRoute | None = None,
) -> None:
    """google-auth's own refresh, over :class:`Request` (blocking; each request waits at most *timeout* s)."""
    credentials.refresh(Request(trust_env, timeout, metadata))


def fetch_token(
    credentials,
    trust_env: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    metadata: MetadataRoute | None = None,
) -> Future:
    """Start refreshing *credentials* now; the future gives the access token or google-auth's exception.
    A daemon thread: a token endpoint that never answers cannot keep the process alive."""
    future: Future = Future()
    # running: a probe that gives up waiting cannot cancel it under the thread
    future.set_running_or_notify_cancel()

    def work() -> None:
        try:
            refresh(credentials, trust_env, timeout, metadata)
        except BaseException as exc:  # noqa: BLE001 - handed to whoever awaits the token
            future.set_exception(exc)
        else:
            future.set_result(credentials.token)

    threading.Thread(target=work, daemon=True).start()
    return future
