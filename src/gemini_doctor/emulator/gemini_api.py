"""Gemini API backend (generativelanguage.googleapis.com): state and routes.

Every call runs the world's checks in Google's order (emulator-world.md): credential → consumer
project → location → model → quota → incidents; the first failure answers with Google's body.
"""

from __future__ import annotations

import ipaddress
import json
import time
from collections import defaultdict, deque
from fnmatch import fnmatch

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from . import errors
from .errors import GoogleError, error_info, localized
from .world import ApiKey, Project, World

SERVICE = "generativelanguage.googleapis.com"
TITLE = "Generative Language API"
VERSIONS = ("v1", "v1beta", "v1alpha")
_METHODS = {"generateContent": "GenerateContent", "streamGenerateContent": "StreamGenerateContent",
            "countTokens": "CountTokens", "get": "GetModel", "list": "ListModels"}
_STATUS_BY_HTTP = {403: "PERMISSION_DENIED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE",
                   404: "NOT_FOUND", 400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 504: "DEADLINE_EXCEEDED"}
REPLY = "Hello from the gemini-doctor emulator."


class GeminiApiBackend:
    """The Gemini API as one caller sees it, answering from a :class:`World`."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.calls: dict[tuple[str, str], deque] = defaultdict(deque)   # (project, model) -> call times

    def routes(self) -> list[Route]:
        return [
            Route("/{version}/models", self.list_models, methods=["GET"]),
            Route("/{version}/models/{rest:path}", self.model_call, methods=["GET", "POST"]),
        ]

    # --- routes -------------------------------------------------------------------------------
    async def list_models(self, request: Request) -> Response:
        version = _version(request)
        self.authorize(request, version, "list")
        models = [self._model_resource(m.name) for m in self.world.models
                  if "gemini-api" in m.surfaces and m.launch_stage != "RETIRED"]
        return JSONResponse({"models": models})

    async def model_call(self, request: Request) -> Response:
        version = _version(request)
        model, _, method = request.path_params["rest"].partition(":")
        method = method or "get"
        if method not in _METHODS or (request.method == "GET") != (method == "get"):
            raise GoogleError("NOT_FOUND", f"Method not found: {request.method} {request.url.path}", code=404)
        body = await _json_body(request) if request.method == "POST" else {}
        project, _ = self.authorize(request, version, method, model)
        if method == "get":
            return JSONResponse(self._model_resource(model))
        self._check_quota(project, model)
        self._check_incidents(model)
        if method == "countTokens":
            return JSONResponse({"totalTokens": _count_tokens(body)})
        reply = _generate_response(model, body)
        if method == "streamGenerateContent":
            return StreamingResponse(iter([f"data: {json.dumps(reply)}\r\n\r\n"]), media_type="text/event-stream")
        return JSONResponse(reply)

    # --- checks, in Google's order ------------------------------------------------------------
    def authorize(self, request: Request, version: str, method: str, model: str | None = None) -> tuple[Project, ApiKey]:
        rpc = f"google.ai.generativelanguage.{version}.GenerativeService.{_METHODS[method]}"
        key = self._check_key(request, rpc)
        project = self._check_project(key)
        self._check_location(project)
        if model is not None:
            self._check_model(project, model, version, method)
        return project, key

    def _check_key(self, request: Request, rpc: str) -> ApiKey:
        supplied = request.headers.get("x-goog-api-key") or request.query_params.get("key")
        if not supplied:
            if request.headers.get("authorization", "").lower().startswith("bearer "):
                raise GoogleError("UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.")
            raise GoogleError("PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.")
        key = self.world.api_key(supplied)
        if key is None or key.state in ("deleted", "expired"):
            message = {None: "API key not valid. Please pass a valid API key.",
                       "deleted": "API Key not found. Please pass a valid API key.",
                       "expired": "API key expired. Please renew the API key."}[key.state if key else None]
            raise GoogleError("INVALID_ARGUMENT", message, [error_info("API_KEY_INVALID", {"service": SERVICE}), localized(message)])
        consumer = f"projects/{self._number(key.project)}"
        if key.state == "leaked":
            raise GoogleError("PERMISSION_DENIED", "Your API key was reported as leaked. Please use another API key.")
        if key.state == "suspended":
            raise GoogleError("PERMISSION_DENIED", f"Permission denied: Consumer 'api_key:{key.key}' has been suspended.", [
                error_info("CONSUMER_SUSPENDED", {"service": SERVICE, "containerInfo": f"api_key:{key.key}", "consumer": consumer})])
        if key.vertex_express:
            raise GoogleError("PERMISSION_DENIED", f"Requests to this API {SERVICE} are blocked.")
        self._check_restrictions(request, key, consumer, rpc)
        return key

    def _check_restrictions(self, request: Request, key: ApiKey, consumer: str, rpc: str) -> None:
        rules, caller = key.restrictions, self.world.caller
        if rules is None:
            return
        meta = {"consumer": consumer, "service": SERVICE}
        if rules.api_targets and SERVICE not in rules.api_targets:
            message = f"Requests to this API {SERVICE} method {rpc} are blocked."
            raise GoogleError("PERMISSION_DENIED", message, [
                error_info("API_KEY_SERVICE_BLOCKED", {**meta, "apiName": SERVICE, "methodName": rpc}), localized(message)])
        referrer = request.headers.get("referer") or caller.referrer
        if rules.referrers and not any(fnmatch(referrer or "", pattern) for pattern in rules.referrers):
            shown = referrer or "<empty>"
            message = f"Requests from referer {shown} are blocked."
            raise GoogleError("PERMISSION_DENIED", message, [
                error_info("API_KEY_HTTP_REFERRER_BLOCKED", {**meta, "httpReferrer": shown}), localized(message)])
        if rules.ips and not _ip_allowed(caller.ip, rules.ips):
            message = (f"The provided API key has an IP address restriction. The originating IP address of the call "
                       f"({caller.ip}) violates this restriction.")
            raise GoogleError("PERMISSION_DENIED", message, [error_info("API_KEY_IP_ADDRESS_BLOCKED", meta), localized(message)])
        package = request.headers.get("x-android-package") or caller.android_package
        if rules.android_apps and package not in rules.android_apps:
            shown = package or "<empty>"
            message = f"Requests from this Android client application {shown} are blocked."
            raise GoogleError("PERMISSION_DENIED", message, [
                error_info("API_KEY_ANDROID_APP_BLOCKED", {**meta, "androidPackage": shown}), localized(message)])
        bundle = request.headers.get("x-ios-bundle-identifier") or caller.ios_bundle
        if rules.ios_bundles and bundle not in rules.ios_bundles:
            message = f"Requests from this ios client application {bundle or '<empty>'} are blocked."
            raise GoogleError("PERMISSION_DENIED", message, [error_info("API_KEY_IOS_APP_BLOCKED", meta), localized(message)])

    def _check_project(self, key: ApiKey) -> Project:
        project = self.world.project(key.project)
        if project is None:
            raise errors.consumer_invalid(SERVICE, str(key.project))
        if project.denied:
            raise GoogleError("PERMISSION_DENIED", "Your project has been denied access. Please contact support.")
        if SERVICE not in project.services:
            raise errors.service_disabled(TITLE, SERVICE, str(project.number))
        if project.billing == "disabled":
            raise errors.billing_disabled(SERVICE, str(project.number))
        return project

    def _check_location(self, project: Project) -> None:
        country = self.world.caller.country
        if country in self.world.unsupported_countries:
            raise GoogleError("FAILED_PRECONDITION", "User location is not supported for the API use.")
        if country in self.world.paid_only_countries and project.billing != "enabled":
            raise GoogleError("FAILED_PRECONDITION", "User location is not supported for the API use without a billing account linked.")

    def _check_model(self, project: Project, name: str, version: str, method: str) -> None:
        model = self.world.model(name)
        if model is None or "gemini-api" not in model.surfaces or model.launch_stage == "RETIRED":
            raise GoogleError("NOT_FOUND", f"models/{name} is not found for API version {version}, or is not supported for "
                              f"{method}. Call ListModels to see the list of available models and their supported methods.")
        if model.requires_entitlement and name not in project.entitlements:
            raise GoogleError("PERMISSION_DENIED", "The caller does not have permission")

    def _check_quota(self, project: Project, name: str) -> None:
        model = self.world.model(name)
        limit = project.quota.get(name)
        if limit is None and model is not None and not model.free_tier and project.billing != "enabled":
            limit = 0
        if limit is None:
            return
        window, now = self.calls[(project.id, name)], time.monotonic()
        while window and now - window[0] > 60:
            window.popleft()
        if len(window) < limit:
            window.append(now)
            return
        metric = f"{SERVICE}/generate_content_free_tier_requests"
        message = ("You exceeded your current quota, please check your plan and billing details. For more information on "
                   "this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, "
                   f"head to: https://ai.dev/rate-limit. \n* Quota exceeded for metric: {metric}, limit: {limit}, model: {name}\n"
                   "Please retry in 38.86s.")
        raise GoogleError("RESOURCE_EXHAUSTED", message, [
            errors.quota_failure(metric, "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", name, limit),
            errors.help_link("Learn more about Gemini API quotas", "https://ai.google.dev/gemini-api/docs/rate-limits"),
            errors.retry_info(38)])

    def _check_incidents(self, name: str) -> None:
        for incident in self.world.incidents:
            if incident.model == name and incident.surface in ("gemini-api", "both"):
                raise GoogleError(_STATUS_BY_HTTP.get(incident.http_status, "UNKNOWN"), incident.message, code=incident.http_status)

    # --- helpers ------------------------------------------------------------------------------
    def _number(self, ref: str) -> str:
        project = self.world.project(ref)
        return str(project.number) if project else str(ref)

    def _model_resource(self, name: str) -> dict:
        return {"name": f"models/{name}", "baseModelId": name, "version": "001", "displayName": name,
                "inputTokenLimit": 1048576, "outputTokenLimit": 65536,
                "supportedGenerationMethods": ["generateContent", "countTokens"]}


def _version(request: Request) -> str:
    version = request.path_params["version"]
    if version not in VERSIONS:
        raise GoogleError("NOT_FOUND", f"Unknown API version {version}.", code=404)
    return version


async def _json_body(request: Request) -> dict:
    raw = await request.body()
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise GoogleError("INVALID_ARGUMENT", "Invalid JSON payload received. Expected an object.")
    return body


def _count_tokens(body: dict) -> int:
    contents = body.get("contents") or (body.get("generateContentRequest") or {}).get("contents") or []
    texts = [part.get("text", "") for content in contents if isinstance(content, dict)
             for part in content.get("parts", []) if isinstance(part, dict)]
    return sum(len(str(text).split()) for text in texts) or 1


def _generate_response(model: str, body: dict) -> dict:
    prompt = _count_tokens(body)
    return {"candidates": [{"content": {"role": "model", "parts": [{"text": REPLY}]}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": prompt, "candidatesTokenCount": 7, "totalTokenCount": prompt + 7},
            "modelVersion": model, "responseId": "emulated"}


def _ip_allowed(ip: str, allowed: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
        return any(address in ipaddress.ip_network(rule, strict=False) for rule in allowed)
    except ValueError:
        return ip in allowed
