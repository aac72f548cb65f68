"""Checks every Google API runs the same way: who calls, which project pays, and its standing.

The Gemini API, Vertex AI and the admin APIs call these in Google's order (emulator-world.md);
each raises a :class:`GoogleError` with the body google-apis.md gives.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque

from starlette.requests import Request

from ..google.access import USE_SERVICES, is_service_account
from ..google.services import GCLOUD_OWN_PROJECTS, GEMINI_API, SERVICES
from ..google.services import VERTEX as VERTEX_SURFACE
from ..google.status import status_for
from . import errors
from .errors import GoogleError, error_info, refusal
from .iam import granted
from .oauth import OAuthState, Token
from .world import ApiKey, Project, World

GCLOUD_PROJECT = GCLOUD_OWN_PROJECTS[0]  # user ADC without a quota project lands in gcloud's own project
TITLES = {name: service.title for name, service in SERVICES.items()}
VERTEX = VERTEX_SURFACE.service
INVALID_CREDENTIALS = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
    "other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)


MULTIPLE_CREDENTIALS = "Multiple authentication credentials received. Please pass only one."
KEY_NOT_VALID = "API key not valid. Please pass a valid API key."  # an unknown key, or a retired one
API_KEY_PREFIXES = ("AIza", "AQ.")  # what Google's front end recognises as an API key in a bearer header


def supplied_key(request: Request) -> str | None:
    """The API key the call carries; 400 when it also carries a bearer token (Google takes exactly one)."""
    key = request.headers.get("x-goog-api-key") or request.query_params.get("key")
    if key and request.headers.get("authorization"):
        raise GoogleError("INVALID_ARGUMENT", MULTIPLE_CREDENTIALS)
    return key


def token_type_unsupported(service: str, rpc: str) -> GoogleError:
    """The 401 for an API key where an OAuth token was expected (sent as Bearer,
    or a retired standard key)."""
    return GoogleError(
        "UNAUTHENTICATED",
        INVALID_CREDENTIALS,
        [error_info("ACCESS_TOKEN_TYPE_UNSUPPORTED", {"method": rpc, "service": service})],
    )


def bearer_token(request: Request, state: OAuthState, service: str, rpc: str) -> Token | None:
    """The caller's valid OAuth token, None when no bearer was sent; 401 when it is not valid."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    sent = header[7:].strip()
    token = state.lookup(sent) or state.self_signed(sent, service, request.app.state.world.service_accounts)
    meta = {"service": service, "method": rpc}
    if token is None and sent.startswith(API_KEY_PREFIXES):
        raise token_type_unsupported(service, rpc)
    if token is None:
        raise GoogleError("UNAUTHENTICATED", INVALID_CREDENTIALS)
    if token.expires_at < time.time():
        raise GoogleError("UNAUTHENTICATED", INVALID_CREDENTIALS, [error_info("ACCESS_TOKEN_EXPIRED", meta)])
    request.state.caller = (token.principal, service, rpc)  # who calls what: the audit log names them
    return token


def require_token(request: Request, state: OAuthState, service: str, rpc: str, accepted: set[str]) -> Token:
    """A valid bearer token with one of the *accepted* scopes, or Google's 401/403."""
    token = bearer_token(request, state, service, rpc)
    if token is None:
        raise missing_credentials(service, rpc)
    require_scope(token, accepted, service, rpc)
    return token


def require_scope(token: Token, accepted: set[str], service: str, rpc: str) -> None:
    if not token.scopes & accepted:
        raise GoogleError(
            "PERMISSION_DENIED",
            "Request had insufficient authentication scopes.",
            [error_info("ACCESS_TOKEN_SCOPE_INSUFFICIENT", {"service": service, "method": rpc})],
        )


def missing_credentials(service: str, rpc: str) -> GoogleError:
    return GoogleError(
        "UNAUTHENTICATED",
        "Request is missing required authentication credential. Expected OAuth 2 access "
        "token, login cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project.",
        [error_info("CREDENTIALS_MISSING", {"service": service, "method": rpc})],
    )


def api_keys_not_supported(service: str, rpc: str) -> GoogleError:
    return GoogleError(
        "UNAUTHENTICATED",
        "API keys are not supported by this API. Expected OAuth2 access token or other "
        "authentication credentials that assert a principal. See https://cloud.google.com/docs/authentication",
        [error_info("CREDENTIALS_MISSING", {"method": rpc, "service": service})],
    )


def check_key_state(world: World, key: ApiKey | None, service: str) -> None:
    """API_KEY_INVALID for unknown, deleted and expired keys; leaked and suspended keys are refused."""
    if key is None or key.state in ("deleted", "expired"):
        message = {
            None: KEY_NOT_VALID,
            "deleted": "API Key not found. Please pass a valid API key.",
            "expired": "API key expired. Please renew the API key.",
        }[key.state if key else None]
        raise refusal("INVALID_ARGUMENT", message, "API_KEY_INVALID", {"service": service})
    if key.state == "leaked":
        raise GoogleError(
            "PERMISSION_DENIED", "Your API key was reported as leaked. Please use another API key."
        )
    if key.state == "suspended":
        raise GoogleError(
            "PERMISSION_DENIED",
            f"Permission denied: Consumer 'api_key:{key.key}' has been suspended.",
            [
                error_info(
                    "CONSUMER_SUSPENDED",
                    {
                        "service": service,
                        "containerInfo": f"api_key:{key.key}",
                        "consumer": f"projects/{project_number(world, key.project)}",
                    },
                )
            ],
        )


def check_key_service(world: World, key: ApiKey, service: str, rpc: str) -> None:
    """403 API_KEY_SERVICE_BLOCKED when the key's API restrictions exclude *service* (the method called is
    named)."""
    if key.allows(service, rpc):
        return
    message = f"Requests to this API {service} method {rpc} are blocked."
    meta = {
        "consumer": f"projects/{project_number(world, key.project)}",
        "service": service,
        "apiName": service,
        "methodName": rpc,
    }
    raise refusal("PERMISSION_DENIED", message, "API_KEY_SERVICE_BLOCKED", meta)


def oauth_consumer(
    world: World, request: Request, token: Token, path_project: str | None, service: str
) -> Project:
    """The project an OAuth call bills: x-goog-user-project, else the quota project, else the path's project.
    Vertex AI refuses OAuth calls from a consumer project without billing."""
    named = request.headers.get("x-goog-user-project") or token.quota_project
    if named:
        project = world.project(named)
        if project is not None and not granted(project, token.principal, USE_SERVICES):
            message = (
                f"Caller does not have required permission to use project {named}. Grant the caller the "
                "roles/serviceusage.serviceUsageConsumer role, or a custom role with the "
                "serviceusage.services.use permission, by visiting "
                f"https://console.developers.google.com/iam-admin/iam/project?project={named} and then "
                "retry. Propagation of the new permission may take a few minutes."
            )
            raise refusal(
                "PERMISSION_DENIED",
                message,
                "USER_PROJECT_DENIED",
                {"consumer": f"projects/{named}", "service": service},
            )
        return check_project(world, named, service, oauth=True)
    if path_project:
        return check_project(world, path_project, service, oauth=True)
    if not is_service_account(token.principal):
        message = (
            "Your application is authenticating by using local Application Default Credentials. The "
            f"{service} API requires a quota project, which is not set by default. To learn how to set your "
            "quota project, see https://cloud.google.com/docs/authentication/adc-troubleshooting/user-creds ."
        )
        raise GoogleError(
            "PERMISSION_DENIED",
            message,
            [error_info("SERVICE_DISABLED", {"consumer": f"projects/{GCLOUD_PROJECT}", "service": service})],
        )
    return check_project(world, _owner(world, token.principal), service, oauth=True)


def _owner(world: World, principal: str) -> str | None:
    """The project a service account belongs to (None for a user)."""
    return next((sa.get("project") for sa in world.service_accounts if sa.get("email") == principal), None)


def admin_caller(
    world: World, request: Request, state: OAuthState, service: str, rpc: str, accepted: set[str]
) -> Token:
    """An admin API's caller (Service Usage, Resource Manager, API Keys, IAM, Logging...): a valid token with
    one of the *accepted* scopes, billed to a project where *service* is on."""
    token = require_token(request, state, service, rpc, accepted)
    _require_admin_api(world, request, token, service)
    return token


def _require_admin_api(world: World, request: Request, token: Token, service: str) -> None:
    """An admin API the paying project has turned off (``disabled_apis``, unless enabled since) answers
    SERVICE_DISABLED, as Google does; the paying project is found as for any OAuth call."""
    named = (
        request.headers.get("x-goog-user-project") or token.quota_project or _owner(world, token.principal)
    )
    project = world.project(named)
    if project is not None and service in project.disabled_apis and service not in project.services:
        raise errors.service_disabled(TITLES.get(service, service), service, str(project.number))


def check_project(world: World, ref: str | int | None, service: str, oauth: bool = False) -> Project:
    """The consumer project must exist, stand in good order, have *service* enabled and billing on.

    Billing: disabled refuses everywhere; no account refuses Vertex AI's OAuth calls (express keys need none);
    depleted prepaid credits refuse the Gemini API with HTTP 402."""
    project = world.project(ref)
    if project is None:
        raise errors.consumer_invalid(service, str(ref))
    if project.denied:
        raise GoogleError("PERMISSION_DENIED", "Your project has been denied access. Please contact support.")
    if project.vpc_sc:
        uid = f"emulated-{project.number}"
        raise GoogleError(
            "PERMISSION_DENIED",
            f"Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: {uid}",
            [
                {
                    "@type": "type.googleapis.com/google.rpc.PreconditionFailure",
                    "violations": [{"type": "VPC_SERVICE_CONTROLS", "description": uid}],
                },
                error_info(
                    "SECURITY_POLICY_VIOLATED",
                    {"service": service, "uid": uid, "consumer": f"projects/{project.number}"},
                ),
            ],
        )
    if service not in project.services:
        raise errors.service_disabled(TITLES.get(service, service), service, str(project.number))
    if project.billing == "disabled" or (project.billing == "none" and oauth and service == VERTEX):
        raise errors.billing_disabled(service, str(project.number))
    if project.billing == "prepay_depleted" and service != VERTEX:
        raise errors.prepay_depleted()
    return project


def project_number(world: World, ref: str | int) -> str:
    project = world.project(ref)
    return str(project.number) if project else str(ref)


def generation_limit(world: World, project: Project, name: str, service: str) -> int | None:
    """The project's generation requests a minute for model *name* on *service*; None when unlimited.
    A model without a free tier has none on the Gemini API until billing is on."""
    limit = project.quota.get(name)
    model = world.model(name)
    if (
        limit is None
        and model is not None
        and not model.free_tier
        and project.billing != "enabled"
        and service == GEMINI_API.service
    ):
        return 0
    return limit


class QuotaMeter:
    """Requests per minute per (project, model), against the world's quota table."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.calls: dict[tuple[str, str], deque] = defaultdict(deque)

    def check(self, project: Project, name: str, service: str, method: str = "generateContent") -> None:
        """Spend one generation call, or refuse it when the minute's quota is used up. countTokens is never
        counted nor refused here: Google keeps it outside the generation quota (it has a limit of its own)."""
        limit = generation_limit(self.world, project, name, service)
        if limit is None or method == "countTokens":
            return
        window, now = self.calls[(project.id, name)], time.monotonic()
        while window and now - window[0] > 60:
            window.popleft()
        if len(window) < limit:
            window.append(now)
            return
        raise _quota_error(service, name, limit)


def quota_metric(service: str) -> tuple[str, str]:
    """The generation quota's metric on *service* and the dimension that names the model."""
    if service == VERTEX:
        return f"{service}/generate_content_requests_per_minute_per_project_per_base_model", "base_model"
    return f"{service}/generate_content_free_tier_requests", "model"


def _quota_error(service: str, model: str, limit: int) -> GoogleError:
    metric = quota_metric(service)[0]
    if service == VERTEX:
        message = (
            f"Quota exceeded for {metric} with base model: {model}, limit: {limit}. Please submit a quota "
            "increase request. https://cloud.google.com/vertex-ai/docs/generative-ai/quotas-genai."
        )
        return GoogleError("RESOURCE_EXHAUSTED", message)
    message = (
        "You exceeded your current quota, please check your plan and billing details. For more information "
        "on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current "
        f"usage, head to: https://ai.dev/rate-limit. \n* Quota exceeded for metric: {metric}, limit: "
        f"{limit}, model: {model}\nPlease retry in 38.86s."
    )
    return GoogleError(
        "RESOURCE_EXHAUSTED",
        message,
        [
            errors.quota_failure(
                metric, "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", model, limit
            ),
            errors.help_link(
                "Learn more about Gemini API quotas", "https://ai.google.dev/gemini-api/docs/rate-limits"
            ),
            errors.retry_info(38),
        ],
    )


def check_incidents(world: World, model: str, surface: str) -> None:
    for incident in world.incidents:
        if incident.model == model and incident.surface in (surface, "both"):
            raise GoogleError(status_for(incident.http_status), incident.message, code=incident.http_status)
