"""Fill catalogue templates (``{project}``, ``{service}``, …) with what the evidence knows."""

from __future__ import annotations

import re

from ..evidence.record import ErrorRecord

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_SERVICE_BY_SURFACE = {"vertex": "aiplatform.googleapis.com", "firebase": "firebasevertexai.googleapis.com",
                       "code-assist": "cloudaicompanion.googleapis.com"}
_DEFAULT_PERMISSION = {"vertex": "aiplatform.endpoints.predict"}
# The narrowest predefined role that carries each permission a Gemini call or its setup may need.
_ROLE_FOR_PERMISSION = {
    "aiplatform.endpoints.predict": "roles/aiplatform.user",
    "iam.serviceAccounts.getAccessToken": "roles/iam.serviceAccountTokenCreator",
    "serviceusage.services.use": "roles/serviceusage.serviceUsageConsumer",
    "serviceusage.services.enable": "roles/serviceusage.serviceUsageAdmin",
    "apikeys.keys.create": "roles/serviceusage.apiKeysAdmin",
    "apikeys.keys.get": "roles/serviceusage.apiKeysViewer",
    "resourcemanager.projects.get": "roles/browser",
}


def template_values(record: ErrorRecord, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The values a fix template may use; unknown ones are left as upper-case placeholders."""
    permission = record.permission or _DEFAULT_PERMISSION.get(record.surface or "")
    values = {
        "project": record.project,
        "service": record.service or _SERVICE_BY_SURFACE.get(record.surface or "", "generativelanguage.googleapis.com"),
        "model": record.model,
        "location": record.location,
        "permission": permission or "the required permission",
        "role": _ROLE_FOR_PERMISSION.get(permission or ""),
        "quota_metric": record.quota_metric or "the quota",
        "key": record.key,
    }
    values.update(extra or {})
    return {k: str(v) for k, v in values.items() if v}


def fill(template: str | None, values: dict[str, str]) -> str | None:
    """Replace ``{name}`` with its value, or ``NAME`` when unknown, so the user sees what to fill in."""
    if template is None or "{" not in template:
        return template
    return _PLACEHOLDER.sub(lambda m: value_or_name(values, m.group(1)), template)


def value_or_name(values: dict[str, str], name: str) -> str:
    """*name*'s value, or ``NAME`` when the evidence does not know it."""
    return values.get(name) or name.upper()
