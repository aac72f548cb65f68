"""IAM Credentials (iamcredentials.googleapis.com): generateAccessToken, behind impersonated credentials.

The caller needs iam.serviceAccounts.getAccessToken on the target account's project
(roles/iam.serviceAccountTokenCreator, or owner). An unknown or disabled account is refused exactly
like a denied one, as Google does, so the answer never reveals which accounts exist.
"""

from __future__ import annotations

import json
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...google.access import CLOUD_PLATFORM, GET_ACCESS_TOKEN, IAM
from ...google.services import BY_SHORT
from ..consumer import admin_caller
from ..errors import GoogleError, error_info
from ..iam import granted
from ..oauth import TOKEN_LIFETIME
from ..registry import Context, EmulatedService

SERVICE = BY_SHORT["iamcredentials"].name
SCOPES = {CLOUD_PLATFORM, IAM}


class IamCredentialsBackend:
    def __init__(self, ctx: Context) -> None:
        self.world, self.oauth = ctx.world, ctx.oauth

    def routes(self) -> list[Route]:
        return [Route("/v1/projects/{project}/serviceAccounts/{name}", self.call, methods=["POST"])]

    async def call(self, request: Request) -> Response:
        email, _, method = request.path_params["name"].rpartition(":")
        if method != "generateAccessToken":
            raise GoogleError(
                "NOT_FOUND", f"The requested URL {request.url.path} was not found on this server.", code=404
            )
        caller = admin_caller(
            self.world,
            request,
            self.oauth,
            SERVICE,
            "google.iam.credentials.v1.IAMCredentials.GenerateAccessToken",
            SCOPES,
        )
        account = next(
            (sa for sa in self.world.service_accounts if sa.get("email") == email and not sa.get("disabled")),
            None,
        )
        project = self.world.project(account.get("project")) if account else None
        if project is None or not granted(project, caller.principal, GET_ACCESS_TOKEN):
            raise GoogleError(
                "PERMISSION_DENIED",
                f"Permission '{GET_ACCESS_TOKEN}' denied on resource (or it may not exist).",
                [
                    error_info(
                        "IAM_PERMISSION_DENIED", {"permission": GET_ACCESS_TOKEN}, domain=BY_SHORT["iam"].name
                    )
                ],
            )
        try:
            scopes = json.loads(await request.body() or b"{}").get("scope") or []
        except (ValueError, AttributeError):
            raise GoogleError("INVALID_ARGUMENT", "Request contains an invalid argument.") from None
        token = self.oauth.issue(email, set(scopes))
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + TOKEN_LIFETIME))
        return JSONResponse({"accessToken": token, "expireTime": expires})


EMULATED = EmulatedService(SERVICE, IamCredentialsBackend)
