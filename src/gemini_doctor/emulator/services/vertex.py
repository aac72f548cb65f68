"""Vertex AI backend (aiplatform.googleapis.com): state and routes.

Project paths (`/{v}/projects/{p}/locations/{l}/publishers/google/models/{m}:{method}`) take OAuth
only; express paths (`/{v}/publishers/google/models/{m}:{method}`) take a Vertex express API key (or a
key bound to a service account and allowed to call aiplatform); an AI Studio key restricted to the
Gemini API is blocked there by its restrictions.
Checks run in Google's order: credential → scopes → consumer project → IAM → location/model →
org policy and entitlement → quota → incidents.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...google.access import AIPLATFORM, CLOUD_PLATFORM, PREDICT
from ...google.services import VERTEX
from ..consumer import (
    QuotaMeter,
    api_keys_not_supported,
    check_incidents,
    check_key_service,
    check_key_state,
    check_project,
    oauth_consumer,
    require_token,
    supplied_key,
)
from ..content import answer, json_body
from ..errors import GoogleError, error_info
from ..iam import granted
from ..registry import Context, EmulatedService
from ..world import Model, Project
from .openai_compat import VERTEX_ENDPOINT, chat_completion
from .orgpolicy import model_denied

SERVICE = VERTEX.service
VERSIONS = ("v1", "v1beta1")
SCOPES = {CLOUD_PLATFORM, AIPLATFORM}
# method -> the RPC Google names in error metadata (service.Method, under google.cloud.aiplatform.VERSION)
_METHODS = {
    "generateContent": "PredictionService.GenerateContent",
    "streamGenerateContent": "PredictionService.StreamGenerateContent",
    "countTokens": "PredictionService.CountTokens",
    "get": "ModelGardenService.GetPublisherModel",
    "list": "ModelGardenService.ListPublisherModels",
}


class VertexBackend:
    def __init__(self, ctx: Context) -> None:
        self.world, self.oauth = ctx.world, ctx.oauth
        self.quota = QuotaMeter(ctx.world)

    def routes(self) -> list[Route]:
        return [
            Route(
                "/{version}/projects/{project}/locations/{location}/publishers/google/models/{rest}",
                self.project_call,
                methods=["POST"],
            ),
            Route(
                "/{version}/projects/{project}/locations/{location}" + VERTEX_ENDPOINT + "chat/completions",
                self.chat_completions,
                methods=["POST"],
            ),
            Route("/{version}/publishers/google/models", self.list_publisher_models, methods=["GET"]),
            Route("/{version}/publishers/google/models/{rest}", self.publisher_call, methods=["GET", "POST"]),
        ]

    async def list_publisher_models(self, request: Request) -> Response:
        """Model Garden's catalogue of Google's models (not per project:
        closed-to-new-users models are listed)."""
        if request.path_params["version"] not in VERSIONS:
            raise GoogleError(
                "NOT_FOUND", f"The requested URL {request.url.path} was not found on this server.", code=404
            )
        require_token(request, self.oauth, SERVICE, _rpc(request.path_params["version"], "list"), SCOPES)
        models = [
            _publisher_model(m)
            for m in self.world.models
            if "vertex" in m.surfaces and m.refusal(self.world.today, None) not in ("gone", "retired")
        ]
        return JSONResponse({"publisherModels": models})

    async def project_call(self, request: Request) -> Response:
        version, method, model = self._parse(request)
        body = await json_body(request)
        self._project_checks(request, _rpc(version, method), method, model)
        return answer(request, method, model, body)

    async def chat_completions(self, request: Request) -> Response:
        """The OpenAI-compatible endpoint: a publisher's model named in the body (``google/MODEL``),
        OAuth only."""
        version = request.path_params["version"]
        if version not in VERSIONS:
            raise GoogleError(
                "NOT_FOUND", f"The requested URL {request.url.path} was not found on this server.", code=404
            )
        body = await json_body(request)
        model = str(body.get("model") or "").removeprefix("google/")
        if not model:
            raise GoogleError("INVALID_ARGUMENT", "Missing required parameter: 'model'.")
        self._project_checks(
            request,
            f"google.cloud.aiplatform.{version}.PredictionService.ChatCompletions",
            "generateContent",
            model,
            endpoint="endpoints/openapi",
        )
        return chat_completion(body, f"google/{model}")

    def _project_checks(
        self, request: Request, rpc: str, method: str, model: str, endpoint: str | None = None
    ) -> None:
        """A project path's checks in Google's order. IAM is judged on the publisher model, or on the
        *endpoint* called (what a denial names)."""
        path_project, location = request.path_params["project"], request.path_params["location"]
        published = f"projects/{path_project}/locations/{location}/publishers/google/models/{model}"
        resource = f"projects/{path_project}/locations/{location}/{endpoint}" if endpoint else published
        if supplied_key(request):
            raise api_keys_not_supported(SERVICE, rpc)
        token = require_token(request, self.oauth, SERVICE, rpc, SCOPES)
        consumer = oauth_consumer(self.world, request, token, path_project, SERVICE)
        target = self.world.project(path_project)
        if target is None or not granted(target, token.principal, PREDICT):
            raise GoogleError(
                "PERMISSION_DENIED",
                f"Permission '{PREDICT}' denied on resource '//{SERVICE}/{resource}' (or it may not exist).",
                [
                    error_info(
                        "IAM_PERMISSION_DENIED", {"resource": resource, "permission": PREDICT}, domain=SERVICE
                    )
                ],
            )
        self._check_model(target, model, location, published)
        self.quota.check(consumer, model, SERVICE, method)
        check_incidents(self.world, model, "vertex")

    async def publisher_call(self, request: Request) -> Response:
        version, method, model = self._parse(request, allow_get=True)
        project = self._publisher_caller(request, _rpc(version, method))
        found = self.world.model(model)
        if method == "get":
            if (
                found is None
                or "vertex" not in found.surfaces
                or found.refusal(self.world.today, project) in ("gone", "retired")
            ):
                raise GoogleError(
                    "NOT_FOUND", f"Publisher Model `publishers/google/models/{model}` not found."
                )
            return JSONResponse(_publisher_model(found))
        resource = f"projects/{project.number}/locations/global/publishers/google/models/{model}"
        self._check_model(project, model, "global", resource)
        self.quota.check(project, model, SERVICE, method)
        check_incidents(self.world, model, "vertex")
        return answer(request, method, model, await json_body(request))

    def _publisher_caller(self, request: Request, rpc: str) -> Project | None:
        """An express key's project (checked), or None for a valid OAuth caller; else Google's error."""
        key_string = supplied_key(request)
        if not key_string:
            require_token(request, self.oauth, SERVICE, rpc, SCOPES)
            return None
        key = self.world.api_key(key_string)
        check_key_state(self.world, key, SERVICE)
        if not key.vertex_express:
            check_key_service(self.world, key, SERVICE, rpc)  # an AI Studio key: restricted to the Gemini API
            if not (key.service_account and key.restrictions and key.restrictions.api_targets):
                raise api_keys_not_supported(SERVICE, rpc)
        return check_project(self.world, key.project, SERVICE)

    def _parse(self, request: Request, allow_get: bool = False) -> tuple[str, str, str]:
        version = request.path_params["version"]
        model, _, method = request.path_params["rest"].partition(":")
        if request.method == "GET" and allow_get and not method:
            method = "get"
        if version not in VERSIONS or method not in _METHODS or method == "list":
            raise GoogleError(
                "NOT_FOUND", f"The requested URL {request.url.path} was not found on this server.", code=404
            )
        return version, method, model

    def _check_model(self, project: Project, name: str, location: str, resource: str) -> None:
        model = self.world.model(name)
        if (
            model is None
            or "vertex" not in model.surfaces
            or model.refusal(self.world.today, project)
            or location not in model.locations
        ):
            raise GoogleError(
                "NOT_FOUND",
                f"Publisher Model `{resource}` was not found or your project does not have access "
                "to it. Please ensure you are using a valid model version. For more information, see: "
                "https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions",
            )
        if model_denied(project, name):
            raise GoogleError(
                "PERMISSION_DENIED",
                f"Organization Policy constraint `constraints/vertexai.allowedModels` violated for "
                f"`projects/{project.number}` attempting to use a disallowed Gen AI model {name}. The "
                "request is disallowed by the organization's policy; please contact your organization "
                "administrator.",
            )
        if model.requires_entitlement and name not in project.entitlements:
            raise GoogleError(
                "PERMISSION_DENIED",
                f"Project `{project.number}` is not allowed to use Publisher Model `{resource}`",
            )


def _rpc(version: str, method: str) -> str:
    return f"google.cloud.aiplatform.{version}.{_METHODS[method]}"


def _publisher_model(model: Model) -> dict:
    return {
        "name": f"publishers/google/models/{model.name}",
        "versionId": "001",
        "openSourceCategory": "PROPRIETARY",
        "launchStage": model.launch_stage,
        "versionState": "VERSION_STATE_STABLE",
        "publisherModelTemplate": (
            f"projects/{{project}}/locations/{{location}}/publishers/google/models/{model.name}"
        ),
    }


EMULATED = EmulatedService(SERVICE, VertexBackend)
