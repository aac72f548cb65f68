"""The IAM denials the emulator answered, each with the error ID Google's 2026 denials carry.

An IAM_PERMISSION_DENIED answer gets ``error_info_id`` and ``troubleshooter_url`` in its ErrorInfo metadata,
and the denial (principal, permission, resource) is kept under that ID for Policy Troubleshooter's
``iam:troubleshootError``. The same denial gets the same ID (a hash of what was denied, then the project).
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from urllib.parse import quote

from starlette.requests import Request

from .errors import GoogleError
from .world import World

CONSOLE = "https://console.cloud.google.com/iam-admin/troubleshooter/summary;errorId="
MAX_DENIALS = 10_000  # error IDs remembered per emulator, oldest forgotten first


class Denials:
    """The IAM denials the emulator answered, by the error ID it gave each (the same denial, the same ID)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.by_id: OrderedDict[str, dict] = OrderedDict()

    def annotate(self, request: Request, error: GoogleError) -> None:
        """Give an IAM_PERMISSION_DENIED answer its ``error_info_id`` and ``troubleshooter_url``,
        and remember it."""
        info = next((d for d in error.details if d.get("reason") == "IAM_PERMISSION_DENIED"), None)
        principal = getattr(request.state, "caller", (None,))[0]
        meta = info.get("metadata", {}) if info else {}
        project = self.world.project(
            (meta.get("resource") or "").removeprefix("projects/").split("/")[0] or None
        )
        if info is None or not principal or project is None or not meta.get("permission"):
            return
        seen = f"{principal}\n{meta['permission']}\n{meta['resource']}".encode()
        error_id = base64.b64encode(
            b"\n$" + hashlib.sha256(seen).digest()[:18] + f"\x12projects/{project.number}".encode()
        ).decode()
        self.by_id[error_id] = {
            "principal": principal,
            "permission": meta["permission"],
            "name": meta["resource"],
            "project": project.id,
        }
        self.by_id.move_to_end(error_id)
        while len(self.by_id) > MAX_DENIALS:
            self.by_id.popitem(last=False)
        meta["error_info_id"] = error_id
        meta["troubleshooter_url"] = CONSOLE + quote(error_id, safe="")
