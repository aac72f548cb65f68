"""google-auth's token requests over the standard library's http.client.

google-auth's own transport pulls in requests and urllib3 (a second HTTP stack, and most of check's
start-up time); the token fetch is one small request, made first, before the probes' client exists.
Redirects are never followed.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from functools import lru_cache
from urllib.parse import urlsplit

from google.auth import exceptions, transport


@lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """The one TLS context for Google's https hosts (built only when an https URL is called)."""
    return ssl.create_default_context()


class _Response(transport.Response):
    def __init__(self, response: http.client.HTTPResponse) -> None:
        self._status = response.status
        self._headers = {key.lower(): value for key, value in response.getheaders()}
        self._data = response.read()

    @property
    def status(self) -> int:
        return self._status

    @property
    def headers(self) -> dict:
        return self._headers

    @property
    def data(self) -> bytes:
        return self._data


class Request(transport.Request):
    """A google.auth transport: one http.client connection per request."""

    def __call__(self, url, method="GET", body=None, headers=None, timeout=None, **kwargs):
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        timeout = socket.getdefaulttimeout() if timeout is None else timeout
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(parts.netloc, timeout=timeout, context=tls_context())
        elif parts.scheme == "http":
            connection = http.client.HTTPConnection(parts.netloc, timeout=timeout)
        else:
            raise exceptions.TransportError(f"unsupported URL scheme {parts.scheme!r}")
        try:
            connection.request(method, target or "/", body=body, headers=headers or {})
            return _Response(connection.getresponse())
        except (http.client.HTTPException, OSError) as exc:
            raise exceptions.TransportError(exc) from exc
        finally:
            connection.close()
