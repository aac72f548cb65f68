"""The HTTP google-auth refreshes tokens with: a credential goes only to the host it was issued for.

requests follows redirects by default, and a 307 or 308 re-posts the body (a refresh token, a
signed JWT assertion) to wherever the answer points. Here a redirect is an answer like any other:
google-auth sees it as a failed refresh, and the secret stays where it was sent.
"""

from __future__ import annotations


def token_request():
    """A ``google.auth.transport.requests.Request`` that never follows a redirect."""
    import requests
    from google.auth.transport.requests import Request

    class NoRedirects(requests.Session):
        def request(self, method, url, **kwargs):
            kwargs["allow_redirects"] = False
            return super().request(method, url, **kwargs)

    return Request(session=NoRedirects())
