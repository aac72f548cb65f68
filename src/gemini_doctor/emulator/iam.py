"""IAM in the world: who holds which role (what a role carries is Google's vocabulary, gemini_doctor.google)."""

from __future__ import annotations

from ..google.access import carries, member_of
from .world import Project


def granted(project: Project, principal: str, permission: str) -> bool:
    """True when a binding on *project* gives *principal* the *permission*."""
    member = member_of(principal)
    for binding in project.iam:
        if member in binding.get("members", []) or "allAuthenticatedUsers" in binding.get("members", []):
            if carries(binding.get("role", ""), permission):
                return True
    return False
