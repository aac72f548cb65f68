"""IAM in the world: which predefined roles carry which permissions, and who holds what."""

from __future__ import annotations

from .world import Project

PREDICT = "aiplatform.endpoints.predict"
USE_PROJECT = "serviceusage.services.use"

# The permissions the emulated services check (a subset of each role's real contents).
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "roles/owner": frozenset({"*"}),
    "roles/editor": frozenset({PREDICT, USE_PROJECT, "serviceusage.services.get", "serviceusage.services.list",
                               "serviceusage.services.enable", "resourcemanager.projects.get",
                               "apikeys.keys.get", "apikeys.keys.lookup", "apikeys.keys.list"}),
    "roles/viewer": frozenset({"serviceusage.services.get", "serviceusage.services.list",
                               "resourcemanager.projects.get", "apikeys.keys.get", "apikeys.keys.lookup", "apikeys.keys.list"}),
    "roles/browser": frozenset({"resourcemanager.projects.get"}),
    "roles/aiplatform.user": frozenset({PREDICT, "resourcemanager.projects.get"}),
    "roles/aiplatform.admin": frozenset({PREDICT, "resourcemanager.projects.get"}),
    "roles/serviceusage.serviceUsageConsumer": frozenset({USE_PROJECT, "serviceusage.services.get", "serviceusage.services.list"}),
    "roles/serviceusage.serviceUsageViewer": frozenset({"serviceusage.services.get", "serviceusage.services.list"}),
    "roles/serviceusage.serviceUsageAdmin": frozenset({USE_PROJECT, "serviceusage.services.get", "serviceusage.services.list",
                                                       "serviceusage.services.enable"}),
    "roles/serviceusage.apiKeysViewer": frozenset({"apikeys.keys.get", "apikeys.keys.lookup", "apikeys.keys.list"}),
    "roles/resourcemanager.projectIamAdmin": frozenset({"resourcemanager.projects.getIamPolicy", "resourcemanager.projects.setIamPolicy"}),
    "roles/iam.serviceAccountTokenCreator": frozenset({"iam.serviceAccounts.getAccessToken"}),
}


def member_of(principal: str) -> str:
    """The IAM member string for an email: ``serviceAccount:…`` or ``user:…``."""
    return f"serviceAccount:{principal}" if principal.endswith(".gserviceaccount.com") else f"user:{principal}"


def granted(project: Project, principal: str, permission: str) -> bool:
    """True when a binding on *project* gives *principal* the *permission*."""
    member = member_of(principal)
    for binding in project.iam:
        if member in binding.get("members", []) or "allAuthenticatedUsers" in binding.get("members", []):
            perms = ROLE_PERMISSIONS.get(binding.get("role", ""), frozenset())
            if "*" in perms or permission in perms:
                return True
    return False
