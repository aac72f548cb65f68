"""Google's error bodies (google.rpc.Status as JSON), as shared/spec/google-apis.md gives them."""

from __future__ import annotations

from starlette.responses import JSONResponse

from ..google.status import STATUS_TO_HTTP

_TYPE = "type.googleapis.com/google.rpc."
HEADERS = {"Server": "ESF", "Vary": "Origin, X-Origin, Referer", "X-Content-Type-Options": "nosniff"}


class GoogleError(Exception):
    """Raised by a backend's checks; the app turns it into Google's JSON error response."""

    def __init__(self, status: str, message: str, details: list[dict] | None = None, code: int | None = None):
        super().__init__(message)
        self.status, self.message, self.details = status, message, details or []
        self.code = code or STATUS_TO_HTTP[status]

    def body(self) -> dict:
        body = {"error": {"code": self.code, "message": self.message, "status": self.status}}
        if self.details:
            body["error"]["details"] = self.details
        return body

    def response(self, as_list: bool = False) -> JSONResponse:
        """Google's JSON error; *as_list* wraps it in an array of one (the OpenAI-compatible endpoint's
        shape)."""
        content = [self.body()] if as_list else self.body()
        return JSONResponse(
            content, status_code=self.code, headers=HEADERS, media_type="application/json; charset=UTF-8"
        )


def error_info(reason: str, metadata: dict[str, str], domain: str = "googleapis.com") -> dict:
    return {"@type": _TYPE + "ErrorInfo", "reason": reason, "domain": domain, "metadata": metadata}


def localized(message: str) -> dict:
    return {"@type": _TYPE + "LocalizedMessage", "locale": "en-US", "message": message}


def refusal(status: str, message: str, reason: str, metadata: dict[str, str], *more: dict) -> GoogleError:
    """Google's usual refusal: *message*, an ErrorInfo with *reason* and *metadata*, the message again as a
    LocalizedMessage, then *more* details."""
    return GoogleError(status, message, [error_info(reason, metadata), localized(message), *more])


def help_link(description: str, url: str) -> dict:
    return {"@type": _TYPE + "Help", "links": [{"description": description, "url": url}]}


def quota_failure(metric: str, quota_id: str, model: str, limit: int) -> dict:
    return {
        "@type": _TYPE + "QuotaFailure",
        "violations": [
            {
                "quotaMetric": metric,
                "quotaId": quota_id,
                "quotaDimensions": {"location": "global", "model": model},
                "quotaValue": str(limit),
            }
        ],
    }


def retry_info(seconds: int) -> dict:
    return {"@type": _TYPE + "RetryInfo", "retryDelay": f"{seconds}s"}


def service_disabled(title: str, service: str, project: str) -> GoogleError:
    url = f"https://console.developers.google.com/apis/api/{service}/overview?project={project}"
    message = (
        f"{title} has not been used in project {project} before or it is disabled. Enable it by visiting "
        f"{url} then retry. If you enabled this API recently, wait a few minutes for the action to propagate "
        "to our systems and retry."
    )
    return refusal(
        "PERMISSION_DENIED",
        message,
        "SERVICE_DISABLED",
        {
            "containerInfo": project,
            "activationUrl": url,
            "serviceTitle": title,
            "service": service,
            "consumer": f"projects/{project}",
        },
        help_link("Google developers console API activation", url),
    )


def billing_disabled(service: str, project: str) -> GoogleError:
    message = (
        f"This API method requires billing to be enabled. Please enable billing on project #{project} by "
        f"visiting https://console.developers.google.com/billing/enable?project={project} then retry. If you "
        "enabled billing for this project recently, wait a few minutes for the action to propagate to our "
        "systems and retry."
    )
    return refusal(
        "PERMISSION_DENIED",
        message,
        "BILLING_DISABLED",
        {"consumer": f"projects/{project}", "service": service},
    )


def prepay_depleted() -> GoogleError:
    """HTTP 402 since 2026 (status still RESOURCE_EXHAUSTED): not a quota, retrying never helps."""
    return GoogleError(
        "RESOURCE_EXHAUSTED",
        "Your prepayment credits are depleted. Please go to AI Studio at "
        "https://ai.studio/projects to manage your project and billing. Learn more at "
        "https://ai.google.dev/gemini-api/docs/billing#prepay.",
        code=402,
    )


def consumer_invalid(service: str, project: str) -> GoogleError:
    message = f"Permission denied on resource project {project}."
    return refusal(
        "PERMISSION_DENIED",
        message,
        "CONSUMER_INVALID",
        {"containerInfo": project, "service": service, "consumer": f"projects/{project}"},
        help_link("Google developers console", "https://console.developers.google.com"),
    )
