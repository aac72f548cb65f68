"""Cloud Logging (logging.googleapis.com): the audit entries of refused calls, and ``entries:list``.

Every call the emulator refuses with PERMISSION_DENIED is written, as Google's Cloud Audit Logs write it,
to the project's Data Access audit log: an AuditLog protoPayload with the status, the caller, the
service, method and resource, and the permission that was not granted. ``POST /v2/entries:list``
serves them with Cloud Logging's filter syntax (:mod:`.logging_filter`), ``orderBy`` and paging.
"""

from __future__ import annotations

import secrets
from collections import deque
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...google.access import (
    CLOUD_PLATFORM,
    CLOUD_PLATFORM_READ_ONLY,
    DATA_ACCESS_LOG_TYPES,
    LIST_LOG_ENTRIES,
    LOGGING_ADMIN,
    LOGGING_READ,
)
from ...google.services import BY_SHORT
from ...google.status import GRPC_CODES
from ..admin_common import iam_denied
from ..consumer import admin_caller
from ..content import json_body
from ..denials import Denials
from ..errors import GoogleError
from ..iam import granted
from ..logging_filter import FilterError, parse_filter
from ..registry import Context, EmulatedService
from ..world import Project, World

SERVICE = BY_SHORT["logging"].name
RPC = "google.logging.v2.LoggingServiceV2.ListLogEntries"
SCOPES = {CLOUD_PLATFORM, CLOUD_PLATFORM_READ_ONLY, LOGGING_READ, LOGGING_ADMIN}
DATA_ACCESS = "cloudaudit.googleapis.com%2Fdata_access"
AUDIT_LOG_TYPE = "type.googleapis.com/google.cloud.audit.AuditLog"
_GRPC_NUMBER = {name: number for number, name in GRPC_CODES.items()}
MAX_ENTRIES = 10_000  # kept per emulator, oldest dropped first
MAX_PAGE = 1000  # Google's cap on pageSize
DEFAULT_PAGE = 50


class AuditLog:
    """The audit entries the emulator wrote, oldest first."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.entries: deque[dict] = deque(maxlen=MAX_ENTRIES)
        self.denials = Denials(
            world
        )  # the IAM denials among them, by error ID (Policy Troubleshooter reads it)

    def record_refusal(self, request: Request, error: GoogleError) -> dict | None:
        """Write the Data Access audit entry for a call refused with *error*, in the project it was
        refused in: the path's, else the one the error names (no entry when none is known, or when
        that project's Data Access audit logs are off for the service). An IAM denial gets its error ID
        first."""
        self.denials.annotate(request, error)
        principal, service, method = getattr(
            request.state, "caller", (None, None, None)
        )  # set by consumer.bearer_token
        info = next((d for d in error.details if str(d.get("@type", "")).endswith("ErrorInfo")), {})
        meta = info.get("metadata") or {}
        refs = (
            request.path_params.get("project"),
            meta.get("consumer", "").removeprefix("projects/"),
            meta.get("resource", "").removeprefix("projects/").split("/")[0],
            meta.get("containerInfo"),
        )
        found = next((p for ref in refs if ref and (p := self.world.project(ref))), None)
        if found is None:
            return None
        project = found.id
        service = service or meta.get("service") or info.get("domain") or "unknown.googleapis.com"
        if not found.logs_data_access(service):
            return (
                None  # the project's Data Access audit logs are off for this service: Google writes nothing
            )
        method = method or meta.get("method") or ""
        resource = meta.get("resource") or f"projects/{project}"
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        payload = {
            "@type": AUDIT_LOG_TYPE,
            "status": {"code": _GRPC_NUMBER[error.status], "message": error.message},
            "authenticationInfo": {"principalEmail": principal} if principal else {},
            "requestMetadata": {},
            "serviceName": service,
            "methodName": method,
            "resourceName": resource,
        }
        if meta.get("permission"):
            payload["authorizationInfo"] = [
                {
                    "resource": resource,
                    "permission": meta["permission"],
                    "granted": False,
                    "resourceAttributes": {},
                }
            ]
        entry = {
            "protoPayload": payload,
            "insertId": secrets.token_hex(6),
            "resource": {
                "type": "audited_resource",
                "labels": {"project_id": project, "service": service, "method": method},
            },
            "timestamp": now,
            "severity": "ERROR",
            "logName": f"projects/{project}/logs/{DATA_ACCESS}",
            "receiveTimestamp": now,
        }
        self.entries.append(entry)
        return entry


class LoggingBackend:
    def __init__(self, ctx: Context) -> None:
        self.world, self.oauth, self.audit = ctx.world, ctx.oauth, ctx.audit

    def routes(self) -> list[Route]:
        return [Route("/v2/entries:list", self.list_entries, methods=["POST"])]

    async def list_entries(self, request: Request) -> Response:
        token = admin_caller(self.world, request, self.oauth, SERVICE, RPC, SCOPES)
        body = await json_body(request)
        names = body.get("resourceNames") or (
            [f"projects/{body['projectIds'][0]}"] if body.get("projectIds") else []
        )
        if not names or not all(isinstance(n, str) and n.startswith("projects/") for n in names):
            raise GoogleError(
                "INVALID_ARGUMENT", "resourceNames must name at least one project (projects/PROJECT_ID)."
            )
        projects = []
        for name in names:
            project = self.world.project(name.removeprefix("projects/"))
            if project is None or not granted(project, token.principal, LIST_LOG_ENTRIES):
                raise iam_denied(SERVICE, LIST_LOG_ENTRIES, name)
            projects.append(project.id)
        try:
            matches = parse_filter(str(body.get("filter") or ""))
        except FilterError as exc:
            raise GoogleError("INVALID_ARGUMENT", f"Invalid filter: {exc}") from None
        order = str(body.get("orderBy") or "timestamp asc").strip().lower()
        if order not in ("timestamp asc", "timestamp desc", "timestamp"):
            raise GoogleError("INVALID_ARGUMENT", "orderBy must be 'timestamp asc' or 'timestamp desc'.")
        found = [
            e for e in self.audit.entries if e["resource"]["labels"]["project_id"] in projects and matches(e)
        ]
        if order == "timestamp desc":
            found.reverse()
        start = _page_start(body.get("pageToken"))
        size = _page_size(body.get("pageSize"))
        page = found[start : start + size]
        out: dict = {"entries": page} if page else {}
        if start + size < len(found):
            out["nextPageToken"] = f"emulated-{start + size}"
        return JSONResponse(out)


def audit_configs(project: Project) -> list[dict]:
    """The project IAM policy's ``auditConfigs``: Data Access logs (reads and writes) for each service that
    has them on."""
    return [
        {"service": service, "auditLogConfigs": [{"logType": t} for t in DATA_ACCESS_LOG_TYPES]}
        for service in project.data_access_logs
    ]


def _page_start(token: object) -> int:
    if not token:
        return 0
    text = str(token)
    if not text.startswith("emulated-") or not text[9:].isdigit():
        raise GoogleError("INVALID_ARGUMENT", "Invalid page token.")
    return int(text[9:])


def _page_size(size: object) -> int:
    try:
        value = int(size) if size not in (None, "") else DEFAULT_PAGE
    except (TypeError, ValueError):
        raise GoogleError("INVALID_ARGUMENT", "pageSize must be a number.") from None
    if value < 0:
        raise GoogleError("INVALID_ARGUMENT", "pageSize must not be negative.")
    return min(value or DEFAULT_PAGE, MAX_PAGE)


EMULATED = EmulatedService(SERVICE, LoggingBackend)
