"""The Gemini API's Files service: resumable upload, list, get and delete.

A file belongs to the project that uploaded it (the world's ``files``: {name, project}); another
project, or a deleted file, gets Google's 403 "You do not have permission to access the File".
Uploads follow Google's resumable protocol: a ``start`` answered with ``x-goog-upload-url``, then
chunks to that URL until ``finalize``.
"""

from __future__ import annotations

import json
import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import GoogleError
from ..registry import Context, EmulatedService
from ..world import Project
from .gemini_api import SERVICE, GeminiApiBackend, version_of


class FilesBackend:
    def __init__(self, ctx: Context) -> None:
        self.gemini, self.world = ctx.backend(GeminiApiBackend), ctx.world
        self.sessions: dict[str, dict] = {}  # upload id -> {name, project, mimeType, displayName, size}

    def routes(self) -> list[Route]:
        return [
            Route("/upload/{version}/files", self.upload, methods=["POST"]),
            Route("/{version}/files", self.list_files, methods=["GET"]),
            Route("/{version}/files/{name}", self.get_file, methods=["GET", "DELETE"]),
        ]

    async def upload(self, request: Request) -> Response:
        upload_id = request.query_params.get("upload_id")
        if upload_id is not None:
            return await self._chunk(request, upload_id)
        project = self._authorize(request, "CreateFile")
        if "start" not in request.headers.get("x-goog-upload-command", ""):
            raise GoogleError(
                "INVALID_ARGUMENT",
                "Upload requests must use the resumable protocol (X-Goog-Upload-Command: start).",
            )
        try:
            meta = json.loads(await request.body() or b"{}").get("file") or {}
        except (ValueError, AttributeError):
            raise GoogleError("INVALID_ARGUMENT", "Invalid JSON payload received.") from None
        name = str(meta.get("name") or "").removeprefix("files/") or secrets.token_hex(6)
        upload_id = secrets.token_urlsafe(16)
        # proto JSON takes a field by its lowerCamel or its original name, so both spellings count
        self.sessions[upload_id] = {
            "name": name,
            "project": project.id,
            "displayName": meta.get("displayName") or meta.get("display_name"),
            "mimeType": request.headers.get("x-goog-upload-header-content-type", "application/octet-stream"),
            "size": 0,
        }
        url = f"{request.url.scheme}://{request.url.netloc}{request.url.path}?upload_id={upload_id}"
        return Response(status_code=200, headers={"x-goog-upload-url": url, "x-goog-upload-status": "active"})

    async def _chunk(self, request: Request, upload_id: str) -> Response:
        session = self.sessions.get(upload_id)
        if session is None:
            raise GoogleError("NOT_FOUND", "Upload session not found.", code=404)
        session["size"] += len(await request.body())
        if "finalize" not in request.headers.get("x-goog-upload-command", ""):
            return Response(status_code=200, headers={"x-goog-upload-status": "active"})
        del self.sessions[upload_id]
        self.world.section("files").append(
            {
                "name": session["name"],
                "project": session["project"],
                "mimeType": session["mimeType"],
                "displayName": session["displayName"],
                "sizeBytes": session["size"],
            }
        )
        return JSONResponse(
            {"file": _resource(self.world.section("files")[-1], request)},
            headers={"x-goog-upload-status": "final"},
        )

    async def list_files(self, request: Request) -> Response:
        project = self._authorize(request, "ListFiles")
        mine = [
            _resource(f, request)
            for f in self.world.section("files")
            if self.world.project(f.get("project")) is project
        ]
        return JSONResponse({"files": mine} if mine else {})

    async def get_file(self, request: Request) -> Response:
        name = request.path_params["name"]
        project = self._authorize(request, "DeleteFile" if request.method == "DELETE" else "GetFile")
        owned = next((f for f in self.world.section("files") if f.get("name") == name), None)
        if owned is None or self.world.project(owned.get("project")) is not project:
            raise GoogleError(
                "PERMISSION_DENIED",
                f"You do not have permission to access the File {name} or it may not exist.",
            )
        if request.method == "DELETE":
            self.world.section("files").remove(owned)
            return JSONResponse({})
        return JSONResponse(_resource(owned, request))

    def _authorize(self, request: Request, rpc: str) -> Project:
        return self.gemini.authorize(request, version_of(request), "get", rpc=f"FileService.{rpc}")


def _resource(file: dict, request: Request) -> dict:
    name = f"files/{file['name']}"
    out = {
        "name": name,
        "mimeType": file.get("mimeType", "application/pdf"),
        "sizeBytes": str(file.get("sizeBytes", 0)),
        "state": "ACTIVE",
        "uri": f"{request.url.scheme}://{request.url.netloc}/v1beta/{name}",
        "source": "UPLOADED",
    }
    if file.get("displayName"):
        out["displayName"] = file["displayName"]
    return out


# files: {name, project, ...}, who uploaded each file
EMULATED = EmulatedService(f"{SERVICE}/files", FilesBackend, world={"files": dict})
