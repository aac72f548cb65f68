"""Service Usage backend (serviceusage.googleapis.com): services get / list / enable, operations (v1), and the
generation quota's limits per model (v1beta1 consumerQuotaMetrics)."""

from __future__ import annotations

import itertools
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...google.access import CLOUD_PLATFORM, READ_QUOTAS
from ...google.services import BY_SHORT, GEMINI_API, SERVICES, VERTEX
from ..admin_common import AdminBackend
from ..consumer import TITLES, generation_limit, quota_metric
from ..errors import GoogleError, error_info
from ..registry import EmulatedService

SERVICE = BY_SHORT["serviceusage"].name
_IDS = itertools.count(1)


def _denied(message: str, permission: str, service: str) -> GoogleError:
    return GoogleError(
        "PERMISSION_DENIED",
        f"{message}\nHelp Token: emulated",
        [
            {
                "@type": "type.googleapis.com/google.rpc.PreconditionFailure",
                "violations": [
                    {
                        "type": "googleapis.com",
                        "subject": f"?error_code=110002&service={service}&permission={permission}",
                    }
                ],
            },
            error_info(
                "AUTH_PERMISSION_DENIED", {"permission": permission, "service": service}, domain=SERVICE
            ),
        ],
    )


class ServiceUsageBackend(AdminBackend):
    service = SERVICE

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.operations: dict[str, dict] = {}

    def routes(self) -> list[Route]:
        return [
            Route("/v1/projects/{project}/services", self.list_services, methods=["GET"]),
            Route("/v1/projects/{project}/services/{name}", self.service_call, methods=["GET", "POST"]),
            Route("/v1/operations/{op}", self.get_operation, methods=["GET"]),
            Route(
                "/v1beta1/projects/{project}/services/{name}/consumerQuotaMetrics",
                self.quota_metrics,
                methods=["GET"],
            ),
        ]

    async def list_services(self, request: Request) -> Response:
        token = self.caller(request, "google.api.serviceusage.v1.ServiceUsage.ListServices")
        project = self.permitted(token, request.path_params["project"], "serviceusage.services.list")
        if project is None:
            raise _denied(
                (
                    "Permission denied to list services for consumer container "
                    f"[projects/{request.path_params['project']}]"
                ),
                "serviceusage.services.list",
                "",
            )
        wanted = request.query_params.get("filter", "")
        services = [self._resource(project, name, "ENABLED") for name in project.services]
        if wanted == "state:DISABLED":
            services = []
        return JSONResponse({"services": services})

    async def service_call(self, request: Request) -> Response:
        name, _, verb = request.path_params["name"].partition(":")
        ref = request.path_params["project"]
        if request.method == "GET" and not verb:
            token = self.caller(request, "google.api.serviceusage.v1.ServiceUsage.GetService")
            project = self.permitted(token, ref, "serviceusage.services.get")
            if project is None:
                raise _denied(f"Permission denied to get service [{name}]", "serviceusage.services.get", name)
            return JSONResponse(
                self._resource(project, name, "ENABLED" if name in project.services else "DISABLED")
            )
        if request.method == "POST" and verb == "enable":
            token = self.caller(
                request, "google.api.serviceusage.v1.ServiceUsage.EnableService", {CLOUD_PLATFORM}
            )
            project = self.permitted(token, ref, "serviceusage.services.enable")
            if project is None:
                raise _denied(
                    f"Permission denied to enable service [{name}]", "serviceusage.services.enable", name
                )
            if project.billing != "enabled" and name == VERTEX.service:
                raise GoogleError(
                    "FAILED_PRECONDITION",
                    f"Billing account for project '{project.number}' is not found. Billing must be "
                    f"enabled for activation of service(s) '{name}' to proceed.\nHelp Token: emulated",
                    [
                        error_info(
                            "UREQ_PROJECT_BILLING_NOT_FOUND",
                            {"project": str(project.number), "services": name},
                            domain=f"{SERVICE}/billing-enabled",
                        )
                    ],
                )
            if name not in project.services:
                project.services.append(name)
                self.counters.mutations += 1
            op = f"operations/acf.emulated-{next(_IDS)}"
            self.operations[op] = {
                "done": True,
                "name": op,
                "response": {
                    "@type": "type.googleapis.com/google.api.serviceusage.v1.EnableServiceResponse",
                    "service": self._resource(project, name, "ENABLED"),
                },
            }
            return JSONResponse(
                {"name": op, "metadata": {"@type": "type.googleapis.com/google.protobuf.Empty", "value": {}}}
            )
        raise GoogleError(
            "NOT_FOUND", f"The requested URL {request.url.path} was not found on this server.", code=404
        )

    async def quota_metrics(self, request: Request) -> Response:
        """The generation quota's metric with one bucket per model the service serves: effectiveLimit,
        "-1" unlimited."""
        token = self.caller(request, "google.api.serviceusage.v1beta1.ServiceUsage.ListConsumerQuotaMetrics")
        name = request.path_params["name"]
        project = self.permitted(token, request.path_params["project"], READ_QUOTAS)
        if project is None:
            raise _denied(f"Permission denied to list quota metrics for service [{name}]", READ_QUOTAS, name)
        if name not in (GEMINI_API.service, VERTEX.service):  # other APIs' quotas are not emulated
            return JSONResponse({})
        metric, dimension = quota_metric(name)
        surface = SERVICES[name].surface
        parent = f"projects/{project.number}/services/{name}/consumerQuotaMetrics/{quote(metric, safe='')}"
        unit = f"1/min/{{project}}/{{{dimension}}}"
        buckets = []
        for model in self.world.models:
            if surface in model.surfaces:
                limit = generation_limit(self.world, project, model.name, name)
                value = "-1" if limit is None else str(limit)
                buckets.append(
                    {"effectiveLimit": value, "defaultLimit": value, "dimensions": {dimension: model.name}}
                )
        limit = {
            "name": f"{parent}/limits/{quote(unit.replace('{', '').replace('}', ''), safe='')}",
            "unit": unit,
            "metric": metric,
            "isPrecise": True,
            "quotaBuckets": buckets,
        }
        return JSONResponse(
            {
                "metrics": [
                    {
                        "name": parent,
                        "displayName": "Generate content requests per minute",
                        "metric": metric,
                        "unit": unit,
                        "consumerQuotaLimits": [limit],
                    }
                ]
            }
        )

    async def get_operation(self, request: Request) -> Response:
        self.caller(request, "google.longrunning.Operations.GetOperation")
        op = self.operations.get(f"operations/{request.path_params['op']}")
        if op is None:
            raise GoogleError("NOT_FOUND", "Operation not found.")
        return JSONResponse(op)

    @staticmethod
    def _resource(project, name: str, state: str) -> dict:
        parent = f"projects/{project.number}"
        return {
            "name": f"{parent}/services/{name}",
            "parent": parent,
            "state": state,
            "config": {"name": name, "title": TITLES.get(name, name)},
        }


EMULATED = EmulatedService(SERVICE, ServiceUsageBackend)
