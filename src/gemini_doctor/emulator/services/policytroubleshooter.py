"""Policy Troubleshooter (policytroubleshooter.googleapis.com):
why a principal may or may not use a permission.

``POST /v3/iam:troubleshoot`` explains an access tuple (principal, full resource name, permission);
``POST /v3beta/iam:troubleshootError`` explains one denial from the ``error_info_id`` the emulator put in
its ErrorInfo (:mod:`..denials`), as Google's 2026 IAM denials carry them. Both answer from
the world: the project's allow bindings and its deny policies. As at Google, the caller sees only the
policies it may read: without ``resourcemanager.projects.getIamPolicy`` (roles/iam.securityReviewer)
the allow side is UNKNOWN_INFO, without ``iam.denypolicies.get`` (roles/iam.denyReviewer) the deny side is.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...google.access import (
    CLOUD_PLATFORM,
    GET_DENY_POLICIES,
    GET_IAM_POLICY,
    carries,
    fqdn,
    member_of,
    v1_permission,
)
from ...google.services import BY_SHORT, project_resource
from ..consumer import admin_caller
from ..content import json_body
from ..deny import RULE_LISTS, etag, permission_matches, policy_resource, principal_matches, rule_denies
from ..errors import GoogleError
from ..iam import allowed, granted
from ..registry import Context, EmulatedService
from ..world import Project

SERVICE = BY_SHORT["policytroubleshooter"].name
HIGH, NORMAL = "HEURISTIC_RELEVANCE_HIGH", "HEURISTIC_RELEVANCE_NORMAL"


class PolicyTroubleshooterBackend:
    def __init__(self, ctx: Context) -> None:
        self.world, self.oauth, self.denials = ctx.world, ctx.oauth, ctx.audit.denials

    def routes(self) -> list[Route]:
        return [
            Route("/v3/iam:troubleshoot", self.troubleshoot, methods=["POST"]),
            Route("/v3beta/iam:troubleshootError", self.troubleshoot_error, methods=["POST"]),
        ]

    async def troubleshoot(self, request: Request) -> Response:
        token = admin_caller(
            self.world,
            request,
            self.oauth,
            SERVICE,
            "google.cloud.policytroubleshooter.iam.v3.PolicyTroubleshooter.TroubleshootIamPolicy",
            {CLOUD_PLATFORM},
        )
        tuple_ = (await json_body(request)).get("accessTuple")
        if not isinstance(tuple_, dict):
            raise GoogleError("INVALID_ARGUMENT", "access_tuple is required.")
        principal, resource, permission = (
            tuple_.get(k) for k in ("principal", "fullResourceName", "permission")
        )
        _require_tuple(principal, resource, permission)
        project = self.world.project(_project_of(resource))
        answer = explain(project, token.principal, principal, v1_permission(permission))
        echoed = {**tuple_, "permissionFqdn": fqdn(v1_permission(permission))}
        return JSONResponse({"overallAccessState": answer.pop("overall"), "accessTuple": echoed, **answer})

    async def troubleshoot_error(self, request: Request) -> Response:
        token = admin_caller(
            self.world,
            request,
            self.oauth,
            SERVICE,
            "google.cloud.policytroubleshooter.iam.v3beta.PolicyTroubleshooter.TroubleshootIamPolicyError",
            {CLOUD_PLATFORM},
        )
        body = await json_body(request)
        error_id = body.get("errorInfoId") or body.get("error_info_id")
        if not isinstance(error_id, str) or not error_id:
            raise GoogleError("INVALID_ARGUMENT", "error_info_id is required.")
        denial = self.denials.by_id.get(error_id)
        if denial is None:
            raise GoogleError(
                "NOT_FOUND",
                f"Error info ID {error_id[:100]} was not found. It may not be available yet: retry later.",
            )
        answer = explain(
            self.world.project(denial["project"]), token.principal, denial["principal"], denial["permission"]
        )
        context = {
            "principal": denial["principal"],
            "permission": denial["permission"],
            "name": denial["name"],
        }
        return JSONResponse(
            {
                "overallAccessState": "OVERALL_ACCESS_STATE_" + answer.pop("overall"),
                "accessContext": context,
                **answer,
                "pabPolicyExplanation": {
                    "principalAccessBoundaryAccessState": "PAB_ACCESS_STATE_NOT_ENFORCED",
                    "relevance": NORMAL,
                },
            }
        )


def _require_tuple(principal: object, resource: object, permission: object) -> None:
    if not isinstance(principal, str) or "@" not in principal or ":" in principal:
        raise GoogleError(
            "INVALID_ARGUMENT",
            "principal must be the email address of a Google Account or a service account.",
        )
    if not isinstance(resource, str) or not resource.startswith("//") or "/projects/" not in resource:
        raise GoogleError(
            "INVALID_ARGUMENT",
            "full_resource_name must be a full resource name, e.g. "
            "//cloudresourcemanager.googleapis.com/projects/my-project.",
        )
    if not isinstance(permission, str) or (permission.count(".") < 2 and "/" not in permission):
        raise GoogleError(
            "INVALID_ARGUMENT", "permission must be an IAM permission, e.g. resourcemanager.projects.get."
        )


def _project_of(resource: str) -> str:
    """The project a full resource name lives in (its policy and its deny policies apply by inheritance)."""
    return resource.split("/projects/", 1)[1].split("/")[0]


def explain(project: Project | None, caller: str, principal: str, permission: str) -> dict:
    """Google's explanation of *principal*'s access to *permission* on *project*,
    as much as *caller* may see."""
    sees_allow = project is not None and granted(project, caller, GET_IAM_POLICY)
    sees_deny = project is not None and granted(project, caller, GET_DENY_POLICIES)
    allow = (
        _allow(project, principal, permission)
        if sees_allow
        else _unknown("allowAccessState", "ALLOW", "explainedPolicies")
    )
    deny = (
        _deny(project, principal, permission)
        if sees_deny
        else _unknown("denyAccessState", "DENY", "explainedResources")
    )
    denied = deny["denyAccessState"] == "DENY_ACCESS_STATE_DENIED"
    if denied or allow["allowAccessState"] == "ALLOW_ACCESS_STATE_NOT_GRANTED":
        overall = "CANNOT_ACCESS"
    elif (
        allow["allowAccessState"] == "ALLOW_ACCESS_STATE_GRANTED"
        and deny["denyAccessState"] == "DENY_ACCESS_STATE_NOT_DENIED"
    ):
        overall = "CAN_ACCESS"
    else:
        overall = "UNKNOWN_INFO"
    allow["relevance"] = NORMAL if denied else HIGH
    deny["relevance"] = HIGH if denied else NORMAL
    return {"overall": overall, "allowPolicyExplanation": allow, "denyPolicyExplanation": deny}


def _unknown(state: str, prefix: str, explained: str) -> dict:
    """What the caller learns about policies it may not read: that it cannot tell."""
    return {
        state: f"{prefix}_ACCESS_STATE_UNKNOWN_INFO",
        explained: [{state: f"{prefix}_ACCESS_STATE_UNKNOWN_INFO"}],
    }


def _allow(project: Project, principal: str, permission: str) -> dict:
    member = member_of(principal)
    bindings = []
    for binding in project.iam:
        members = binding.get("members", [])
        has_member = member in members or "allAuthenticatedUsers" in members
        has_permission = carries(binding.get("role", ""), permission)
        state = (
            "ALLOW_ACCESS_STATE_GRANTED"
            if has_member and has_permission
            else "ALLOW_ACCESS_STATE_NOT_GRANTED"
        )
        matched = {
            m: {
                "membership": "MEMBERSHIP_MATCHED"
                if m in (member, "allAuthenticatedUsers")
                else "MEMBERSHIP_NOT_MATCHED",
                "relevance": HIGH if has_permission else NORMAL,
            }
            for m in members
        }
        bindings.append(
            {
                "allowAccessState": state,
                "role": binding.get("role", ""),
                "rolePermission": "ROLE_PERMISSION_INCLUDED"
                if has_permission
                else "ROLE_PERMISSION_NOT_INCLUDED",
                "rolePermissionRelevance": HIGH if has_member else NORMAL,
                "memberships": matched,
                "combinedMembership": {
                    "membership": "MEMBERSHIP_MATCHED" if has_member else "MEMBERSHIP_NOT_MATCHED",
                    "relevance": HIGH if has_permission else NORMAL,
                },
                "relevance": HIGH if has_member or has_permission else NORMAL,
            }
        )
    state = (
        "ALLOW_ACCESS_STATE_GRANTED"
        if allowed(project, principal, permission)
        else "ALLOW_ACCESS_STATE_NOT_GRANTED"
    )
    policy = {"version": 3, "bindings": project.iam, "etag": etag(project.iam)}
    return {
        "allowAccessState": state,
        "explainedPolicies": [
            {
                "allowAccessState": state,
                "fullResourceName": project_resource(project.number),
                "policy": policy,
                "bindingExplanations": bindings,
                "relevance": HIGH,
            }
        ],
    }


def _deny(project: Project, principal: str, permission: str) -> dict:
    policies = [_explained_deny_policy(project, p, principal, permission) for p in project.deny_policies]
    state = next(
        (p["denyAccessState"] for p in policies if p["denyAccessState"] == "DENY_ACCESS_STATE_DENIED"),
        "DENY_ACCESS_STATE_NOT_DENIED",
    )
    resource = {
        "denyAccessState": state,
        "fullResourceName": project_resource(project.number),
        "explainedPolicies": policies,
        "relevance": HIGH if state == "DENY_ACCESS_STATE_DENIED" else NORMAL,
    }
    return {"denyAccessState": state, "explainedResources": [resource], "permissionDeniable": True}


def _explained_deny_policy(project: Project, policy: dict, principal: str, permission: str) -> dict:
    rules = []
    for rule in policy["rules"]:
        denies = rule_denies(rule, principal, permission)
        principals = {
            name: {p: _membership(principal_matches(p, principal)) for p in rule.get(name, ())}
            for name in RULE_LISTS
            if name.endswith("principals")
        }
        permissions = {
            name: {p: _matching(permission_matches(p, permission)) for p in rule.get(name, ())}
            for name in RULE_LISTS
            if name.endswith("permissions")
        }
        rules.append(
            {
                "denyAccessState": "DENY_ACCESS_STATE_DENIED" if denies else "DENY_ACCESS_STATE_NOT_DENIED",
                "deniedPrincipals": principals["denied_principals"],
                "exceptionPrincipals": principals["exception_principals"],
                "deniedPermissions": permissions["denied_permissions"],
                "exceptionPermissions": permissions["exception_permissions"],
                "combinedDeniedPrincipal": _combined(
                    principals["denied_principals"], "membership", "MEMBERSHIP_MATCHED"
                ),
                "combinedExceptionPrincipal": _combined(
                    principals["exception_principals"], "membership", "MEMBERSHIP_MATCHED"
                ),
                "combinedDeniedPermission": _combined(
                    permissions["denied_permissions"], "permissionMatchingState", "PERMISSION_PATTERN_MATCHED"
                ),
                "combinedExceptionPermission": _combined(
                    permissions["exception_permissions"],
                    "permissionMatchingState",
                    "PERMISSION_PATTERN_MATCHED",
                ),
                "relevance": HIGH if denies else NORMAL,
            }
        )
    denied = any(r["denyAccessState"] == "DENY_ACCESS_STATE_DENIED" for r in rules)
    return {
        "denyAccessState": "DENY_ACCESS_STATE_DENIED" if denied else "DENY_ACCESS_STATE_NOT_DENIED",
        "policy": policy_resource(project.number, policy),
        "ruleExplanations": rules,
        "relevance": HIGH if denied else NORMAL,
    }


def _membership(matched: bool) -> dict:
    return {
        "membership": "MEMBERSHIP_MATCHED" if matched else "MEMBERSHIP_NOT_MATCHED",
        "relevance": HIGH if matched else NORMAL,
    }


def _matching(matched: bool) -> dict:
    return {
        "permissionMatchingState": "PERMISSION_PATTERN_MATCHED"
        if matched
        else "PERMISSION_PATTERN_NOT_MATCHED",
        "relevance": HIGH if matched else NORMAL,
    }


def _combined(annotated: dict, key: str, matched: str) -> dict:
    hit = any(v[key] == matched for v in annotated.values())
    return {
        key: matched if hit else matched.replace("_MATCHED", "_NOT_MATCHED"),
        "relevance": HIGH if hit else NORMAL,
    }


EMULATED = EmulatedService(SERVICE, PolicyTroubleshooterBackend)
