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
    try:  # NaN and Infinity are not JSON (Google refuses them); nesting beyond the stack is refused too
        body = json.loads(raw or b"{}", parse_constant=_not_json)
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):
        raise GoogleError("INVALID_ARGUMENT", "Invalid JSON payload received. Expected an object.")
    if request.url.path.endswith(_GENERATING):
        _check_shape(body, _package(request.url.path))
    return body


_GENERATING = (":generateContent", ":streamGenerateContent", ":countTokens")
# a request's fields, by the JSON type the protobuf message behind each needs (message name, list or object)
_SHAPES = {
    "contents": ("Content", list),
    "systemInstruction": ("Content", dict),
    "generationConfig": ("GenerationConfig", dict),
    "safetySettings": ("SafetySetting", list),
    "tools": ("Tool", list),
    "toolConfig": ("ToolConfig", dict),
}


def _package(path: str) -> str:
    """The protobuf package of the API a path belongs to, as Google names types in its messages."""
    version = path.strip("/").split("/", 1)[0]
    return (
        f"google.cloud.aiplatform.{version}"
        if "/publishers/google/" in path
        else f"google.ai.generativelanguage.{version}"
    )


def _check_shape(body: dict, package: str) -> None:
    """Google's 400 for a field of the wrong JSON type (its JSON-to-protobuf transcoding refuses it)."""
    for name, (message, kind) in _SHAPES.items():
        if name not in body or body[name] is None:
            continue
        value = body[name]
        items = list(enumerate(value)) if kind is list and isinstance(value, list) else [(None, value)]
        if kind is list and not isinstance(value, list):
            _invalid(name, message, value, package)
        for n, item in items:
            field = name if n is None else f"{name}[{n}]"
            if not isinstance(item, dict):
                _invalid(field, message, item, package)
            parts = item.get("parts") if message == "Content" else None
            if parts is not None and not (
                isinstance(parts, list) and all(isinstance(part, dict) for part in parts)
            ):
                _invalid(f"{field}.parts", "Part", parts, package)


def _invalid(field: str, message: str, value: object, package: str) -> None:
    text = f"Invalid value at '{field}' (type.googleapis.com/{package}.{message}), {json.dumps(value)[:100]}"
    raise GoogleError(
        "INVALID_ARGUMENT",
        text,
        [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": field, "description": text}],
            }
        ],
    )


def count_tokens(body: dict) -> int:
    contents = body.get("contents") or (body.get("generateContentRequest") or {}).get("contents") or []
    texts = [
        part.get("text", "")
        for content in contents
        if isinstance(content, dict)
        for part in content.get("parts", [])
        if isinstance(part, dict)
    ]
    return sum(len(str(text).split()) for text in texts) or 1


def answer(request: Request, method: str, model: str, body: dict) -> Response:
    """The success response for generateContent, streamGenerateContent or countTokens. A stream is
    server-sent events with ``alt=sse``, else one JSON array of the chunks, as Google sends it."""
    if method == "countTokens":
        return JSONResponse({"totalTokens": count_tokens(body)})
    prompt = count_tokens(body)
    reply = {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": REPLY}]}, "finishReason": "STOP", "index": 0}
        ],
        "usageMetadata": {
            "promptTokenCount": prompt,
            "candidatesTokenCount": 7,
            "totalTokenCount": prompt + 7,
        },
        "modelVersion": model,
        "responseId": "emulated",
    }
    if method == "streamGenerateContent" and request.query_params.get("alt") == "sse":
        return StreamingResponse(iter([f"data: {json.dumps(reply)}\r\n\r\n"]), media_type="text/event-stream")
    if method == "streamGenerateContent":
        return JSONResponse([reply])
    return JSONResponse(reply)
