"""Gemini API backend (generativelanguage.googleapis.com): state and routes.

Every call runs the world's checks in Google's order (emulator-world.md): credential → consumer
project → location → model → quota → incidents; the first failure answers with Google's body.
"""

from __future__ import annotations

import ipaddress
from fnmatch import fnmatch

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...google.access import GEMINI_API_SCOPES
from ...google.services import GEMINI_API
from ..consumer import (
    KEY_NOT_VALID,
    QuotaMeter,
    bearer_token,
    check_incidents,
    check_key_service,
    check_key_state,
    check_project,
    oauth_consumer,
    project_number,
    require_scope,
    supplied_key,
    token_type_unsupported,
)
from ..content import answer, json_body
from ..errors import GoogleError, refusal
from ..registry import Context, EmulatedService
from ..world import ApiKey, Project

SERVICE = GEMINI_API.service
VERSIONS = ("v1", "v1beta", "v1alpha")
SCOPES = set(GEMINI_API_SCOPES)
# method -> the RPC Google names in error metadata (service.Method,
# under google.ai.generativelanguage.VERSION)
RPCS = {
    "generateContent": "GenerativeService.GenerateContent",
    "streamGenerateContent": "GenerativeService.StreamGenerateContent",
    "countTokens": "GenerativeService.CountTokens",
    "get": "ModelService.GetModel",
    "list": "ModelService.ListModels",
}
_MODEL_METHODS = ("generateContent", "streamGenerateContent", "countTokens", "get")


class GeminiApiBackend:
    """The Gemini API as one caller sees it, answering from a :class:`World`."""

    def __init__(self, ctx: Context) -> None:
        self.world, self.oauth = ctx.world, ctx.oauth
        self.quota = QuotaMeter(ctx.world)

    def routes(self) -> list[Route]:
        return [
            Route("/{version}/models", self.list_models, methods=["GET"]),
            Route("/{version}/models/{rest:path}", self.model_call, methods=["GET", "POST"]),
            Route("/{version}/tunedModels/{rest:path}", self.tuned_model, methods=["GET", "POST"]),
        ]

    # --- routes -------------------------------------------------------------------------------
    async def list_models(self, request: Request) -> Response:
        project = self.authorize(request, version_of(request), "list")
        return JSONResponse({"models": [_model_resource(name) for name in self.offered(project)]})

    async def model_call(self, request: Request) -> Response:
        version = version_of(request)
        model, _, method = request.path_params["rest"].partition(":")
        method = method or "get"
        if method not in _MODEL_METHODS or (request.method == "GET") != (method == "get"):
            raise GoogleError("NOT_FOUND", f"Method not found: {request.method} {request.url.path}", code=404)
        body = await json_body(request) if request.method == "POST" else {}
        project = self.authorize(request, version, method, model)
        if method == "get":
            return JSONResponse(_model_resource(model))
        self.quota.check(project, model, SERVICE, method)
        check_incidents(self.world, model, "gemini-api")
        return answer(request, method, model, body)

    async def tuned_model(self, request: Request) -> Response:
        name, _, method = request.path_params["rest"].partition(":")
        project = self.authorize(request, version_of(request), "generateContent" if method else "get")
        owner = next((t for t in self.world.section("tuned_models") if t.get("name") == name), None)
        if owner is None or self.world.project(owner.get("project")) is not project:
            raise GoogleError(
                "PERMISSION_DENIED", f"You do not have permission to access tuned model tunedModels/{name}"
            )
        if not method:
            return JSONResponse(
                {"name": f"tunedModels/{name}", "baseModel": "models/gemini-2.5-flash", "state": "ACTIVE"}
            )
        return answer(request, method, name, await json_body(request))

    def offered(self, project: Project) -> list[str]:
        """The models the Gemini API lists for *project* today."""
        return [
            m.name
            for m in self.world.models
            if "gemini-api" in m.surfaces and m.refusal(self.world.today, project) is None
        ]

    # --- checks, in Google's order ------------------------------------------------------------
    def authorize(
        self,
        request: Request,
        version: str,
        method: str,
        model: str | None = None,
        *,
        rpc: str | None = None,
        key_string: str | None = None,
    ) -> Project:
        """Run credential, project, location and model checks; return the consumer project.

        *method* names the model method (or get/list); *rpc* ("Service.Method") overrides the RPC
        named in errors; *key_string* is a key the caller sent another way (a bearer, on /openai/)."""
        rpc = f"google.ai.generativelanguage.{version}.{rpc or RPCS[method]}"
        key_string = key_string or supplied_key(request)
        if key_string:
            key = self.world.api_key(key_string)
            check_key_state(self.world, key, SERVICE)
            if key.vertex_express:
                raise GoogleError("PERMISSION_DENIED", f"Requests to this API {SERVICE} are blocked.")
            retired = self.world.key_retirement(key)
            if retired == "all":
                raise refusal("INVALID_ARGUMENT", KEY_NOT_VALID, "API_KEY_INVALID", {"service": SERVICE})
            if retired == "unrestricted":
                raise token_type_unsupported(SERVICE, rpc)
            self._check_restrictions(request, key, rpc)
            project = check_project(self.world, key.project, SERVICE)
        else:
            token = bearer_token(request, self.oauth, SERVICE, rpc)
            if token is None:
                raise GoogleError(
                    "PERMISSION_DENIED",
                    "Method doesn't allow unregistered callers (callers without established "
                    "identity). Please use API Key or other form of API consumer identity to call this API.",
                )
            require_scope(token, SCOPES, SERVICE, rpc)
            project = oauth_consumer(self.world, request, token, None, SERVICE)
        self._check_location(project)
        if model is not None:
            self._check_model(project, model, version, method)
        return project

    def _check_restrictions(self, request: Request, key: ApiKey, rpc: str) -> None:
        rules, caller = key.restrictions, self.world.caller
        if rules is None:
            return
        meta = {"consumer": f"projects/{project_number(self.world, key.project)}", "service": SERVICE}
        check_key_service(self.world, key, SERVICE, rpc)
        referrer = request.headers.get("referer") or caller.referrer
        if rules.referrers and not any(fnmatch(referrer or "", pattern) for pattern in rules.referrers):
            shown = referrer or "<empty>"
            message = f"Requests from referer {shown} are blocked."
            raise refusal(
                "PERMISSION_DENIED", message, "API_KEY_HTTP_REFERRER_BLOCKED", {**meta, "httpReferrer": shown}
            )
        if rules.ips and not _ip_allowed(caller.ip, rules.ips):
            message = (
                f"The provided API key has an IP address restriction. The originating IP address of the call "
                f"({caller.ip}) violates this restriction."
            )
            raise refusal("PERMISSION_DENIED", message, "API_KEY_IP_ADDRESS_BLOCKED", meta)
        package = request.headers.get("x-android-package") or caller.android_package
        if rules.android_apps and package not in rules.android_apps:
            shown = package or "<empty>"
            message = f"Requests from this Android client application {shown} are blocked."
            raise refusal(
                "PERMISSION_DENIED", message, "API_KEY_ANDROID_APP_BLOCKED", {**meta, "androidPackage": shown}
            )
        bundle = request.headers.get("x-ios-bundle-identifier") or caller.ios_bundle
        if rules.ios_bundles and bundle not in rules.ios_bundles:
            message = f"Requests from this ios client application {bundle or '<empty>'} are blocked."
            raise refusal("PERMISSION_DENIED", message, "API_KEY_IOS_APP_BLOCKED", meta)

    def _check_location(self, project: Project) -> None:
        country = self.world.caller.country
        if country in self.world.unsupported_countries:
            raise GoogleError("FAILED_PRECONDITION", "User location is not supported for the API use.")
        if country in self.world.paid_only_countries and project.billing != "enabled":
            raise GoogleError(
                "FAILED_PRECONDITION",
                "User location is not supported for the API use without a billing account linked.",
            )

    def _check_model(self, project: Project, name: str, version: str, method: str) -> None:
        model = self.world.model(name)
        refusal = model.refusal(self.world.today, project) if model is not None else None
        if refusal in ("retired", "closed") and "gemini-api" in model.surfaces:
            to_whom = " to new users" if refusal == "closed" else ""
            raise GoogleError(
                "NOT_FOUND",
                f"This model models/{name} is no longer available{to_whom}. Please update your code "
                "to use a newer model for the latest features and improvements.",
            )
        if model is None or "gemini-api" not in model.surfaces or refusal == "gone":
            raise GoogleError(
                "NOT_FOUND",
                f"models/{name} is not found for API version {version}, or is not supported for "
                f"{method}. Call ListModels to see the list of available models and their supported methods.",
            )
        if model.requires_entitlement and name not in project.entitlements:
            raise GoogleError("PERMISSION_DENIED", "The caller does not have permission")


def version_of(request: Request) -> str:
    version = request.path_params["version"]
    if version not in VERSIONS:
        raise GoogleError("NOT_FOUND", f"Unknown API version {version}.", code=404)
    return version


def _model_resource(name: str) -> dict:
    return {
        "name": f"models/{name}",
        "baseModelId": name,
        "version": "001",
        "displayName": name,
        "inputTokenLimit": 1048576,
        "outputTokenLimit": 65536,
        "supportedGenerationMethods": ["generateContent", "countTokens"],
    }


def _ip_allowed(ip: str, allowed: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
        return any(address in ipaddress.ip_network(rule, strict=False) for rule in allowed)
    except ValueError:
        return ip in allowed


# tuned_models: {name, project}, who owns each tuned model
EMULATED = EmulatedService(SERVICE, GeminiApiBackend, world={"tuned_models": dict})
