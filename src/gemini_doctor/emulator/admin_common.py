"""What the admin APIs (Service Usage, Resource Manager, Billing, API Keys) share: auth and denials."""

from __future__ import annotations

from starlette.requests import Request

from ..google.access import CLOUD_PLATFORM, CLOUD_PLATFORM_READ_ONLY
from .consumer import admin_caller
from .errors import GoogleError, error_info
from .iam import granted
from .oauth import Token
from .registry import Context
from .world import Project

READ_SCOPES = {CLOUD_PLATFORM, CLOUD_PLATFORM_READ_ONLY}


class AdminBackend:
    """Base for admin services: a world, the OAuth state and the mutation counter."""

    service = ""

    def __init__(self, ctx: Context) -> None:
        self.world, self.oauth, self.counters = ctx.world, ctx.oauth, ctx.counters

    def caller(self, request: Request, rpc: str, scopes: set[str] = READ_SCOPES) -> Token:
        return admin_caller(self.world, request, self.oauth, self.service, rpc, scopes)

    def permitted(self, token: Token, ref: str, permission: str) -> Project | None:
        """The project when the caller holds *permission* on it, else None (not found looks the same)."""
        project = self.world.project(ref)
        return project if project is not None and granted(project, token.principal, permission) else None


def iam_denied(service: str, permission: str, resource: str) -> GoogleError:
    """The IAM denial whose domain is the serving API (google-apis.md §10)."""
    return GoogleError(
        "PERMISSION_DENIED",
        f"Permission '{permission}' denied on resource '//{service}/{resource}' (or it may not exist).",
        [
            error_info(
                "IAM_PERMISSION_DENIED", {"resource": resource, "permission": permission}, domain=service
            )
        ],
    )
