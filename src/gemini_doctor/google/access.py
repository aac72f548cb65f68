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
GEMINI_API_SCOPES = frozenset(
    {GENERATIVE_LANGUAGE, GENERATIVE_LANGUAGE_RETRIEVER}
)  # either lets a token call the Gemini API

PREDICT = "aiplatform.endpoints.predict"
USE_SERVICES = "serviceusage.services.use"
ENABLE_SERVICES = "serviceusage.services.enable"
GET_ACCESS_TOKEN = "iam.serviceAccounts.getAccessToken"
READ_QUOTAS = "serviceusage.quotas.get"
_READ_SERVICES = frozenset({"serviceusage.services.get", "serviceusage.services.list", READ_QUOTAS})
GET_KEY = "apikeys.keys.get"
_READ_KEYS = frozenset({GET_KEY, "apikeys.keys.lookup", "apikeys.keys.list"})
GET_PROJECT = "resourcemanager.projects.get"
GET_IAM_POLICY = "resourcemanager.projects.getIamPolicy"
SET_PROJECT_POLICY = "resourcemanager.projects.setIamPolicy"
LIST_LOG_ENTRIES = "logging.logEntries.list"
# Reading a project's effective organization policy (orgpolicy v2 getEffectivePolicy; Google's role pages
# spell it so).
GET_ORG_POLICY = "orgpolicy.policy.get"
CREATE_KEYS = "apikeys.keys.create"
UPDATE_KEYS = "apikeys.keys.update"
CREATE_SERVICE_ACCOUNTS = "iam.serviceAccounts.create"
BIND_KEYS_TO_SERVICE_ACCOUNTS = "iam.serviceAccountApiKeyBindings.create"
# What creating an AI Studio key needs on the project (Google's Gemini API key page, 2026): AI Studio checks
# the project, creates the key, enables the Gemini API, and creates the service account the auth key is
# bound to.
KEY_CREATION = (
    GET_PROJECT,
    CREATE_KEYS,
    ENABLE_SERVICES,
    CREATE_SERVICE_ACCOUNTS,
    BIND_KEYS_TO_SERVICE_ACCOUNTS,
)
_MANAGE_KEYS = frozenset(
    {
        CREATE_KEYS,
        UPDATE_KEYS,
        "apikeys.keys.delete",
        "apikeys.keys.undelete",
        "apikeys.keys.getKeyString",
    }
)
GET_DENY_POLICIES = "iam.denypolicies.get"

ROLES: dict[str, frozenset[str]] = {
    "roles/owner": frozenset({"*"}),
    "roles/editor": frozenset(
        {
            PREDICT,
            USE_SERVICES,
            ENABLE_SERVICES,
            GET_PROJECT,
            GET_IAM_POLICY,
            LIST_LOG_ENTRIES,
            GET_ORG_POLICY,
            CREATE_SERVICE_ACCOUNTS,
            BIND_KEYS_TO_SERVICE_ACCOUNTS,
            *_READ_SERVICES,
            *_READ_KEYS,
            *_MANAGE_KEYS,
        }
    ),
    "roles/viewer": frozenset(
        {GET_PROJECT, GET_IAM_POLICY, LIST_LOG_ENTRIES, GET_ORG_POLICY, *_READ_SERVICES, *_READ_KEYS}
    ),
    "roles/logging.viewer": frozenset({LIST_LOG_ENTRIES}),
    "roles/logging.privateLogViewer": frozenset({LIST_LOG_ENTRIES, "logging.privateLogEntries.list"}),
    "roles/browser": frozenset({GET_PROJECT}),
    "roles/billing.projectManager": frozenset({"resourcemanager.projects.createBillingAssignment"}),
    "roles/aiplatform.user": frozenset({PREDICT, GET_PROJECT}),
    "roles/aiplatform.admin": frozenset({PREDICT, GET_PROJECT}),
    "roles/serviceusage.serviceUsageConsumer": frozenset({USE_SERVICES, *_READ_SERVICES}),
    "roles/serviceusage.serviceUsageViewer": _READ_SERVICES,
    "roles/serviceusage.serviceUsageAdmin": frozenset({USE_SERVICES, ENABLE_SERVICES, *_READ_SERVICES}),
    "roles/serviceusage.apiKeysViewer": _READ_KEYS,
    "roles/serviceusage.apiKeysAdmin": frozenset({GET_ORG_POLICY, *_MANAGE_KEYS, *_READ_KEYS}),
    "roles/resourcemanager.projectIamAdmin": frozenset({GET_IAM_POLICY, SET_PROJECT_POLICY}),
    "roles/iam.serviceAccountCreator": frozenset({CREATE_SERVICE_ACCOUNTS}),
    "roles/orgpolicy.policyViewer": frozenset({GET_ORG_POLICY}),
    "roles/iam.serviceAccountTokenCreator": frozenset({GET_ACCESS_TOKEN}),
    "roles/iam.securityReviewer": frozenset({GET_IAM_POLICY, "iam.roles.get", "iam.roles.list"}),
    "roles/iam.denyReviewer": frozenset({GET_DENY_POLICIES, "iam.denypolicies.list"}),
    "roles/cloudaicompanion.user": frozenset(
        {"cloudaicompanion.companions.generateChat", "cloudaicompanion.instances.completeTask"}
    ),
}

# The narrowest predefined role that carries each permission a Gemini call or its setup may need.
NARROWEST_ROLE: dict[str, str] = {
    PREDICT: "roles/aiplatform.user",
    GET_ACCESS_TOKEN: "roles/iam.serviceAccountTokenCreator",
    USE_SERVICES: "roles/serviceusage.serviceUsageConsumer",
    ENABLE_SERVICES: "roles/serviceusage.serviceUsageAdmin",
    CREATE_KEYS: "roles/serviceusage.apiKeysAdmin",
    CREATE_SERVICE_ACCOUNTS: "roles/iam.serviceAccountCreator",
    # Google's key page names Project Editor for this one; we know no narrower predefined role that
    # carries it.
    BIND_KEYS_TO_SERVICE_ACCOUNTS: "roles/editor",
    GET_ORG_POLICY: "roles/orgpolicy.policyViewer",
    SET_PROJECT_POLICY: "roles/resourcemanager.projectIamAdmin",
    GET_KEY: "roles/serviceusage.apiKeysViewer",
    GET_PROJECT: "roles/browser",
    LIST_LOG_ENTRIES: "roles/logging.viewer",
    READ_QUOTAS: "roles/serviceusage.serviceUsageViewer",
    GET_IAM_POLICY: "roles/iam.securityReviewer",
    GET_DENY_POLICIES: "roles/iam.denyReviewer",
    "cloudaicompanion.companions.generateChat": "roles/cloudaicompanion.user",
    "cloudaicompanion.instances.completeTask": "roles/cloudaicompanion.user",
}


def role_for(permission: str | None) -> str | None:
    """The narrowest predefined role that carries *permission*, when we know one."""
    return NARROWEST_ROLE.get(permission or "")


def role_carrying(permissions) -> str | None:
    """The narrowest predefined role we know that carries every one of *permissions* (fewest permissions
    in its known contents; Owner last), or None when none does."""
    wanted = set(permissions)
    fits = [role for role in ROLES if all(carries(role, p) for p in wanted)]
    return min(fits, key=lambda role: (role == "roles/owner", len(ROLES[role]), role), default=None)


def roles_with(permission: str) -> tuple[str, ...]:
    """Every predefined role we know that carries *permission*, in the table's order."""
    return tuple(role for role in ROLES if carries(role, permission))


def carries(role: str, permission: str) -> bool:
    """True when the predefined *role* carries *permission*."""
    permissions = ROLES.get(role, frozenset())
    return "*" in permissions or permission in permissions


def is_service_account(email: str) -> bool:
    """Whether the account *email* is a service account (else a user)."""
    return email.endswith(".gserviceaccount.com")


def member_of(principal: str) -> str:
    """The IAM member for an account email: ``serviceAccount:…`` or ``user:…``."""
    return f"serviceAccount:{principal}" if is_service_account(principal) else f"user:{principal}"


DATA_ACCESS_LOG_TYPES = ("DATA_READ", "DATA_WRITE")
ALL_SERVICES = "allServices"  # an audit config for every service, as IAM policies name it


def data_access_services(audit_configs: object) -> list[str]:
    """The services an IAM policy's ``auditConfigs`` turn Data Access audit logs on for (``allServices``:
    all)."""
    if not isinstance(audit_configs, list):
        return []
    return [
        c["service"]
        for c in audit_configs
        if isinstance(c, dict)
        and isinstance(c.get("service"), str)
        and any(
            isinstance(t, dict) and t.get("logType") in DATA_ACCESS_LOG_TYPES
            for t in c.get("auditLogConfigs") or ()
        )
    ]


# IAM v2 (deny policies, the Policy Troubleshooter) writes a permission with its service's host
# (``aiplatform.googleapis.com/endpoints.predict``); these prefixes name a service called otherwise.
_PREFIX_SERVICES = {"resourcemanager": "cloudresourcemanager"}
_SERVICE_PREFIXES = {service: prefix for prefix, service in _PREFIX_SERVICES.items()}


def fqdn(permission: str) -> str:
    """The v2 (FQDN) form of a v1 permission: ``aiplatform.endpoints.predict`` ->
    ``aiplatform.googleapis.com/endpoints.predict``."""
    prefix, _, rest = permission.partition(".")
    return f"{_PREFIX_SERVICES.get(prefix, prefix)}.googleapis.com/{rest}"


def v1_permission(permission: str) -> str:
    """A permission in the v1 form, whichever form it came in (the inverse of :func:`fqdn`)."""
    if "/" not in permission:
        return permission
    host, _, rest = permission.partition("/")
    service = host.removesuffix(".googleapis.com")
    return f"{_SERVICE_PREFIXES.get(service, service)}.{rest}"


def _validate() -> None:
    wrong = [
        f"{permission} -> {role}"
        for permission, role in NARROWEST_ROLE.items()
        if not carries(role, permission)
    ]
    if wrong:
        raise ValueError(f"google.access: roles named for a permission they do not carry: {', '.join(wrong)}")


_validate()
