"""IAM in the world: who holds which role (what a role carries is Google's vocabulary, gemini_doctor.google),
less what a deny policy takes away."""

from __future__ import annotations

from ..google.access import carries, member_of
from .deny import denying_policy
from .world import Project


def allowed(project: Project, principal: str, permission: str) -> bool:
    """True when an allow binding on *project* gives *principal* the *permission* (deny policies aside)."""
    member = member_of(principal)
    for binding in project.iam:
        members = binding.get("members", [])
        if (member in members or "allAuthenticatedUsers" in members) and carries(
            binding.get("role", ""), permission
        ):
            return True
    return False


def granted(project: Project, principal: str, permission: str) -> bool:
    """True when *principal* may use *permission* on *project*: allowed, and no deny policy refuses it."""
    return (
        allowed(project, principal, permission)
        and denying_policy(project.deny_policies, principal, permission) is None
    )
