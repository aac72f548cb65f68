"""Cloud Billing backend (cloudbilling.googleapis.com v1): project billingInfo."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..google.access import CLOUD_BILLING, CLOUD_BILLING_READ_ONLY, CLOUD_PLATFORM
from .admin_common import AdminBackend
from .errors import GoogleError

SERVICE = "cloudbilling.googleapis.com"
SCOPES = {CLOUD_PLATFORM, CLOUD_BILLING, CLOUD_BILLING_READ_ONLY}


class BillingBackend(AdminBackend):
    service = SERVICE

    def routes(self) -> list[Route]:
        return [Route("/v1/projects/{project}/billingInfo", self.billing_info, methods=["GET"])]

    async def billing_info(self, request: Request) -> Response:
        token = self.caller(request, "google.cloud.billing.v1.CloudBilling.GetProjectBillingInfo", SCOPES)
        project = self.permitted(token, request.path_params["project"], "resourcemanager.projects.get")
        if project is None:
            raise GoogleError("PERMISSION_DENIED", "The caller does not have permission")
        linked = project.billing != "none"
        info = {"name": f"projects/{project.id}/billingInfo", "projectId": project.id,
                "billingEnabled": project.billing == "enabled"}
        if linked:
            info["billingAccountName"] = "billingAccounts/012345-567890-ABCDEF"
        return JSONResponse(info)
