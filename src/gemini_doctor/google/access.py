"""Who may do what at Google: OAuth scopes, IAM permissions, predefined roles, and IAM members.

Role contents are the permissions that matter to a Gemini call and its setup (a subset of each
role's real contents). A role that does not carry the permission it is named for fails at import.
"""

from __future__ import annotations

_SCOPE_ROOT = "https://www.googleapis.com/auth/"
CLOUD_PLATFORM = _SCOPE_ROOT + "cloud-platform"
CLOUD_PLATFORM_READ_ONLY = _SCOPE_ROOT + "cloud-platform.read-only"
GENERATIVE_LANGUAGE = _SCOPE_ROOT + "generative-language"
GENERATIVE_LANGUAGE_RETRIEVER = _SCOPE_ROOT + "generative-language.retriever"
AIPLATFORM = _SCOPE_ROOT + "aiplatform"
CLOUD_BILLING = _SCOPE_ROOT + "cloud-billing"
CLOUD_BILLING_READ_ONLY = _SCOPE_ROOT + "cloud-billing.readonly"
IAM = _SCOPE_ROOT + "iam"
USERINFO_EMAIL = _SCOPE_ROOT + "userinfo.email"
LOGGING_READ = _SCOPE_ROOT + "logging.read"
LOGGING_ADMIN = _SCOPE_ROOT + "logging.admin"
GEMINI_API_SCOPES = frozenset({GENERATIVE_LANGUAGE, GENERATIVE_LANGUAGE_RETRIEVER})   # either lets a token call the Gemini API

PREDICT = "aiplatform.endpoints.predict"
USE_SERVICES = "serviceusage.services.use"
GET_ACCESS_TOKEN = "iam.serviceAccounts.getAccessToken"
_READ_SERVICES = frozenset({"serviceusage.services.get", "serviceusage.services.list"})
_READ_KEYS = frozenset({"apikeys.keys.get", "apikeys.keys.lookup", "apikeys.keys.list"})
_GET_PROJECT = "resourcemanager.projects.get"
LIST_LOG_ENTRIES = "logging.logEntries.list"

ROLES: dict[str, frozenset[str]] = {
    "roles/owner": frozenset({"*"}),
    "roles/editor": frozenset({PREDICT, USE_SERVICES, "serviceusage.services.enable", _GET_PROJECT, LIST_LOG_ENTRIES, *_READ_SERVICES, *_READ_KEYS}),
    "roles/viewer": frozenset({_GET_PROJECT, LIST_LOG_ENTRIES, *_READ_SERVICES, *_READ_KEYS}),
    "roles/logging.viewer": frozenset({LIST_LOG_ENTRIES}),
    "roles/logging.privateLogViewer": frozenset({LIST_LOG_ENTRIES, "logging.privateLogEntries.list"}),
    "roles/browser": frozenset({_GET_PROJECT}),
    "roles/aiplatform.user": frozenset({PREDICT, _GET_PROJECT}),
    "roles/aiplatform.admin": frozenset({PREDICT, _GET_PROJECT}),
    "roles/serviceusage.serviceUsageConsumer": frozenset({USE_SERVICES, *_READ_SERVICES}),
    "roles/serviceusage.serviceUsageViewer": _READ_SERVICES,
    "roles/serviceusage.serviceUsageAdmin": frozenset({USE_SERVICES, "serviceusage.services.enable", *_READ_SERVICES}),
    "roles/serviceusage.apiKeysViewer": _READ_KEYS,
    "roles/serviceusage.apiKeysAdmin": frozenset({"apikeys.keys.create", "apikeys.keys.update", "apikeys.keys.delete", *_READ_KEYS}),
    "roles/resourcemanager.projectIamAdmin": frozenset({"resourcemanager.projects.getIamPolicy",
                                                        "resourcemanager.projects.setIamPolicy"}),
    "roles/iam.serviceAccountTokenCreator": frozenset({GET_ACCESS_TOKEN}),
    "roles/cloudaicompanion.user": frozenset({"cloudaicompanion.companions.generateChat",
                                              "cloudaicompanion.instances.completeTask"}),
}

# The narrowest predefined role that carries each permission a Gemini call or its setup may need.
NARROWEST_ROLE: dict[str, str] = {
    PREDICT: "roles/aiplatform.user",
    GET_ACCESS_TOKEN: "roles/iam.serviceAccountTokenCreator",
    USE_SERVICES: "roles/serviceusage.serviceUsageConsumer",
    "serviceusage.services.enable": "roles/serviceusage.serviceUsageAdmin",
    "apikeys.keys.create": "roles/serviceusage.apiKeysAdmin",
    "apikeys.keys.get": "roles/serviceusage.apiKeysViewer",
    _GET_PROJECT: "roles/browser",
    LIST_LOG_ENTRIES: "roles/logging.viewer",
    "cloudaicompanion.companions.generateChat": "roles/cloudaicompanion.user",
    "cloudaicompanion.instances.completeTask": "roles/cloudaicompanion.user",
}


def role_for(permission: str | None) -> str | None:
    """The narrowest predefined role that carries *permission*, when we know one."""
    return NARROWEST_ROLE.get(permission or "")


def carries(role: str, permission: str) -> bool:
    """True when the predefined *role* carries *permission*."""
    permissions = ROLES.get(role, frozenset())
    return "*" in permissions or permission in permissions


def member_of(principal: str) -> str:
    """The IAM member for an account email: ``serviceAccount:…`` or ``user:…``."""
    return f"serviceAccount:{principal}" if principal.endswith(".gserviceaccount.com") else f"user:{principal}"


def scope_name(scope: str) -> str:
    """A scope URL's last part (``cloud-platform``), as people say it."""
    return scope.rsplit("/", 1)[-1]


def _validate() -> None:
    wrong = [f"{permission} -> {role}" for permission, role in NARROWEST_ROLE.items() if not carries(role, permission)]
    if wrong:
        raise ValueError(f"google.access: roles named for a permission they do not carry: {', '.join(wrong)}")


_validate()
