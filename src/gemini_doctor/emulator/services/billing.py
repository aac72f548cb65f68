"""Cloud Billing backend (cloudbilling.googleapis.com v1): project billingInfo, billing accounts, and
projects.updateBillingInfo (the mutation a "link a billing account" fix makes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...google.access import CLOUD_BILLING, CLOUD_BILLING_READ_ONLY, CLOUD_PLATFORM
from ...google.services import BY_SHORT
from ..admin_common import AdminBackend
from ..content import json_body
from ..errors import GoogleError
from ..registry import EmulatedService
from ..world import Project, World

SERVICE = BY_SHORT["cloudbilling"].name
SCOPES = {CLOUD_PLATFORM, CLOUD_BILLING, CLOUD_BILLING_READ_ONLY}
WRITE_SCOPES = {CLOUD_PLATFORM, CLOUD_BILLING}
DEFAULT_ACCOUNT = (
    "012345-567890-ABCDEF"  # the account a project with billing but no `billing_account` is linked to
)
DENIED = "The caller does not have permission"


@dataclass
class BillingAccount:
    """An entry of the world's ``billing_accounts``: who administers it, and whether it is open."""

    id: str
    open: bool = True
    admins: list[str] = field(default_factory=list)


def billing_account(world: World, account_id: str | None) -> BillingAccount | None:
    return next((a for a in world.section("billing_accounts") if a.id == account_id), None)


class BillingBackend(AdminBackend):
    service = SERVICE

    def routes(self) -> list[Route]:
        return [
            Route("/v1/projects/{project}/billingInfo", self.billing_info, methods=["GET"]),
            Route("/v1/projects/{project}/billingInfo", self.update_billing_info, methods=["PUT"]),
            Route("/v1/billingAccounts", self.list_accounts, methods=["GET"]),
            Route("/v1/billingAccounts/{account}", self.get_account, methods=["GET"]),
        ]

    async def billing_info(self, request: Request) -> Response:
        token = self.caller(request, "google.cloud.billing.v1.CloudBilling.GetProjectBillingInfo", SCOPES)
        project = self.permitted(token, request.path_params["project"], "resourcemanager.projects.get")
        if project is None:
            raise GoogleError("PERMISSION_DENIED", DENIED)
        return JSONResponse(self._info(project))

    async def update_billing_info(self, request: Request) -> Response:
        """Link (or unlink, with an empty name) a billing account:
        the caller administers the account and the project."""
        token = self.caller(
            request, "google.cloud.billing.v1.CloudBilling.UpdateProjectBillingInfo", WRITE_SCOPES
        )
        project = self.permitted(
            token, request.path_params["project"], "resourcemanager.projects.createBillingAssignment"
        )
        if project is None:
            raise GoogleError("PERMISSION_DENIED", DENIED)
        name = (await json_body(request)).get("billingAccountName") or ""
        if not isinstance(name, str):
            raise GoogleError("INVALID_ARGUMENT", "Request contains an invalid argument.")
        if name:
            account = billing_account(self.world, name.removeprefix("billingAccounts/"))
            if account is None or not _administers(account, token.principal):
                raise GoogleError("PERMISSION_DENIED", DENIED)
            if not account.open:
                raise GoogleError("FAILED_PRECONDITION", f"Billing account {name} is closed.")
            project.billing, project.billing_account = "enabled", account.id
        else:
            project.billing, project.billing_account = "none", None
        self.counters.mutations += 1
        return JSONResponse(self._info(project))

    async def list_accounts(self, request: Request) -> Response:
        token = self.caller(request, "google.cloud.billing.v1.CloudBilling.ListBillingAccounts", SCOPES)
        return JSONResponse(
            {
                "billingAccounts": [
                    _account(a)
                    for a in self.world.section("billing_accounts")
                    if _administers(a, token.principal)
                ]
            }
        )

    async def get_account(self, request: Request) -> Response:
        token = self.caller(request, "google.cloud.billing.v1.CloudBilling.GetBillingAccount", SCOPES)
        account = billing_account(self.world, request.path_params["account"])
        if account is None or not _administers(account, token.principal):
            raise GoogleError("PERMISSION_DENIED", DENIED)
        return JSONResponse(_account(account))

    def _info(self, project: Project) -> dict:
        """ProjectBillingInfo: billingEnabled is false when the account is closed, disabled or absent."""
        info = {
            "name": f"projects/{project.id}/billingInfo",
            "projectId": project.id,
            "billingEnabled": False,
        }
        if project.billing == "none":
            return info
        account = billing_account(self.world, project.billing_account)
        info["billingAccountName"] = (
            f"billingAccounts/{account.id if account else project.billing_account or DEFAULT_ACCOUNT}"
        )
        info["billingEnabled"] = project.billing in ("enabled", "prepay_depleted") and (
            account is None or account.open
        )
        return info


def _administers(account: BillingAccount, principal: str) -> bool:
    return any(member.split(":", 1)[-1] == principal for member in account.admins)


def _account(account: BillingAccount) -> dict:
    return {
        "name": f"billingAccounts/{account.id}",
        "open": account.open,
        "displayName": f"Billing account {account.id}",
        "masterBillingAccount": "",
    }


EMULATED = EmulatedService(SERVICE, BillingBackend, world={"billing_accounts": BillingAccount})
