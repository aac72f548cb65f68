"""IAM in the world: who holds which role (what a role carries is Google's vocabulary, gemini_doctor.google)."""

from __future__ import annotations

from ..google.access import carries, member_of
from .world import Project


def granted(project: Project, principal: str, permission: str) -> bool:
    """True when a binding on *project* gives *principal* the *permission*."""
    member = member_of(principal)
    for binding in project.iam:
        members = binding.get("members", [])
        if (member in members or "allAuthenticatedUsers" in members) and carries(binding.get("role", ""), permission):
            return True
    return False
