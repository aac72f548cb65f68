"""The Gemini API's OpenAI-compatible endpoint (/v1beta/openai/): chat completions and models (Vertex AI's
endpoint, under projects/P/locations/L/endpoints/openapi/,
is served by the Vertex backend with the answers here).

The OpenAI SDK sends the API key as ``Authorization: Bearer KEY``; an OAuth access token works
the same way. Every call runs the Gemini API's own checks (so every scenario fails here as it
does natively), and every error is Google's status body wrapped in a JSON array of one. Sending
two credentials (a bearer and a key) is Google's 400 "Multiple authentication credentials".
"""

from __future__ import annotations

import json
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ..consumer import check_incidents, supplied_key
from ..content import REPLY, json_body
from ..errors import GoogleError
from ..registry import Context, EmulatedService
from .gemini_api import SERVICE, GeminiApiBackend

PREFIX = "/v1beta/openai/"
VERSION = "v1beta"
_CHAT_RPC = "GenerativeService.ChatCompletions"


VERTEX_ENDPOINT = (
    "/endpoints/openapi/"  # Vertex AI's OpenAI-compatible endpoint, under a project and location
)


def is_openai_path(path: str) -> bool:
    """Errors on these paths (the Gemini API's and Vertex AI's OpenAI-compatible endpoints) are JSON arrays of
    one status body."""
    return path.startswith(PREFIX) or VERTEX_ENDPOINT in path


def chat_completion(body: dict, model: str) -> Response:
    """The chat completion (or its event stream, with ``stream``) for the messages in *body*."""
    prompt = (
        sum(len(str(m.get("content", "")).split()) for m in body.get("messages") or [] if isinstance(m, dict))
        or 1
    )
    created = int(time.time())
    if body.get("stream"):
        return StreamingResponse(_stream(model, created), media_type="text/event-stream")
    return JSONResponse(
        {
            "id": "emulated",
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": REPLY}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": prompt, "completion_tokens": 7, "total_tokens": prompt + 7},
        }
    )


class OpenAICompatBackend:
    """Routes under /v1beta/openai/, answering through the Gemini API backend's checks and quota."""

    def __init__(self, ctx: Context) -> None:
        self.gemini = ctx.backend(GeminiApiBackend)

    def routes(self) -> list[Route]:
        return [
            Route(PREFIX + "chat/completions", self.chat_completions, methods=["POST"]),
            Route(PREFIX + "models", self.list_models, methods=["GET"]),
            Route(PREFIX + "models/{model:path}", self.get_model, methods=["GET"]),
        ]

    async def chat_completions(self, request: Request) -> Response:
        body = await json_body(request)
        model = str(body.get("model") or "").removeprefix("models/")
        if not model:
            raise GoogleError("INVALID_ARGUMENT", "Missing required parameter: 'model'.")
        project = self._authorize(request, "generateContent", model, _CHAT_RPC)
        self.gemini.quota.check(project, model, SERVICE)
        check_incidents(self.gemini.world, model, "gemini-api")
        return chat_completion(body, model)

    async def list_models(self, request: Request) -> Response:
        project = self._authorize(request, "list")
        return JSONResponse(
            {"object": "list", "data": [_model(name) for name in self.gemini.offered(project)]}
        )

    async def get_model(self, request: Request) -> Response:
        model = request.path_params["model"].removeprefix("models/")
        self._authorize(request, "get", model)
        return JSONResponse(_model(model))

    def _authorize(self, request: Request, method: str, model: str | None = None, rpc: str | None = None):
        """The Gemini API's checks with the bearer read as the key, unless it is an OAuth token."""
        bearer = request.headers.get("authorization", "")
        bearer = bearer[7:].strip() if bearer.lower().startswith("bearer ") else ""
        supplied_key(request)  # a key besides the bearer: Google's 400 "Multiple authentication credentials"
        is_token = bearer.startswith("ya29.") or self.gemini.oauth.lookup(bearer) is not None
        return self.gemini.authorize(
            request, VERSION, method, model, rpc=rpc, key_string=None if is_token else bearer or None
        )


def _model(name: str) -> dict:
    return {"id": f"models/{name}", "object": "model", "created": 0, "owned_by": "google"}


def _stream(model: str, created: int):
    chunk = {
        "id": "emulated",
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": REPLY}, "finish_reason": "stop"}],
    }
    yield f"data: {json.dumps(chunk)}\n\n"
    yield "data: [DONE]\n\n"


EMULATED = EmulatedService(f"{SERVICE}/v1beta/openai", OpenAICompatBackend)
