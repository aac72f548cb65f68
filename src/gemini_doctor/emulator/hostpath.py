"""Google's host names as a path prefix: ``/aiplatform.googleapis.com/v1/...`` is ``/v1/...``.

google-genai treats a Vertex base URL that does not end in ``.googleapis.com`` as a proxy root: it
drops the project, location, version and method and posts to the root. A base URL such as
``http://127.0.0.1:PORT/aiplatform.googleapis.com`` keeps the real request path, so env.sh can
point a plain ``genai.Client()`` at the emulator; this wrapper serves such paths.
"""

from __future__ import annotations

GOOGLE_DOMAIN = ".googleapis.com"


def host_prefix(service: str) -> str:
    """The path prefix that stands for *service*'s host (e.g. ``/aiplatform.googleapis.com``)."""
    return f"/{service}"


class HostInPath:
    """ASGI middleware: strips a first path segment that is a googleapis.com host name."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            first, slash, rest = scope["path"].lstrip("/").partition("/")
            if first.endswith(GOOGLE_DOMAIN) and slash:
                scope = {**scope, "path": "/" + rest, "raw_path": ("/" + rest).encode()}
        await self.app(scope, receive, send)
