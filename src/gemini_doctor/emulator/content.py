"""Successful answers shared by the Gemini API and Vertex AI: generated content and token counts."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from .errors import GoogleError

REPLY = "Hello from the gemini-doctor emulator."


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


async def json_body(request: Request) -> dict:
    raw = await request.body()
    try:   # NaN and Infinity are not JSON (Google refuses them); nesting beyond the stack is refused too
        body = json.loads(raw or b"{}", parse_constant=_not_json)
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):
        raise GoogleError("INVALID_ARGUMENT", "Invalid JSON payload received. Expected an object.")
    return body


def count_tokens(body: dict) -> int:
    contents = body.get("contents") or (body.get("generateContentRequest") or {}).get("contents") or []
    texts = [part.get("text", "") for content in contents if isinstance(content, dict)
             for part in content.get("parts", []) if isinstance(part, dict)]
    return sum(len(str(text).split()) for text in texts) or 1


def answer(method: str, model: str, body: dict) -> Response:
    """The success response for generateContent, streamGenerateContent (SSE) or countTokens."""
    if method == "countTokens":
        return JSONResponse({"totalTokens": count_tokens(body)})
    prompt = count_tokens(body)
    reply = {"candidates": [{"content": {"role": "model", "parts": [{"text": REPLY}]}, "finishReason": "STOP", "index": 0}],
             "usageMetadata": {"promptTokenCount": prompt, "candidatesTokenCount": 7, "totalTokenCount": prompt + 7},
             "modelVersion": model, "responseId": "emulated"}
    if method == "streamGenerateContent":
        return StreamingResponse(iter([f"data: {json.dumps(reply)}\r\n\r\n"]), media_type="text/event-stream")
    return JSONResponse(reply)
