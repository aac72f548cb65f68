"""Organization Policy API v2 (orgpolicy.googleapis.com): a project's policies, read from the world.

``GET /v2/projects/{p}/policies/{constraint}:getEffectivePolicy`` answers the policy in force on the project
(the world's ``org_policies`` rule, with ``org_policy_denied_models`` folded into vertexai.allowedModels;
a constraint the world leaves unset allows everything, or is not enforced).
``GET /v2/projects/{p}/policies/{c}`` answers the policy set on the project itself, 404 when none is. Both
need ``orgpolicy.policy.get``. Agent Platform refuses a model the effective vertexai.allowedModels denies
(:func:`model_denied`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...google.access import CLOUD_PLATFORM, GET_ORG_POLICY
from ...google.org_policy import ALLOWED_MODELS, BOOLEAN_CONSTRAINTS, DENIED, list_verdict, model_value
from ...google.services import BY_SHORT
from ..admin_common import AdminBackend, iam_denied
from ..errors import GoogleError
from ..registry import EmulatedService
from ..world import Project

SERVICE = BY_SHORT["orgpolicy"].name
_RULE_FIELDS = {"allow_all": "allowAll", "deny_all": "denyAll", "enforce": "enforce"}


def project_rule(project: Project, constraint: str) -> dict | None:
    """The rule set on *project* for *constraint* (Google's JSON form), or None when none is."""
    rule = dict(project.org_policies.get(constraint) or {})
    if constraint == ALLOWED_MODELS and project.org_policy_denied_models:
        rule["denied_values"] = [
            *rule.get("denied_values", ()),
            *map(model_value, project.org_policy_denied_models),
        ]
    if not rule:
        return None
    out = {_RULE_FIELDS[name]: value for name, value in rule.items() if name in _RULE_FIELDS}
    values = {
        key: rule[name]
        for name, key in (("allowed_values", "allowedValues"), ("denied_values", "deniedValues"))
        if rule.get(name)
    }
    return {**out, "values": values} if values else out


def effective_policy(project: Project, constraint: str) -> dict:
    """The effective policy on *project*: its own rule, or Google's default for an unset constraint."""
    rule = project_rule(project, constraint) or (
        {"enforce": False} if constraint in BOOLEAN_CONSTRAINTS else {"allowAll": True}
    )
    return {"name": f"projects/{project.number}/policies/{constraint}", "spec": {"rules": [rule]}}


def model_denied(project: Project, model: str) -> bool:
    """True when the effective vertexai.allowedModels refuses predictions with *model* in *project*."""
    policy = effective_policy(project, ALLOWED_MODELS)
    return list_verdict(policy, model_value(model), f"publishers/google/models/{model}") == DENIED


class OrgPolicyBackend(AdminBackend):
    service = SERVICE

    def routes(self) -> list[Route]:
        return [Route("/v2/projects/{project}/policies/{name}", self.policy, methods=["GET"])]

    async def policy(self, request: Request) -> Response:
        ref = request.path_params["project"]
        constraint, _, verb = request.path_params["name"].partition(":")
        constraint = constraint.removeprefix("constraints/")
        if verb not in ("", "getEffectivePolicy") or not constraint:
            raise GoogleError(
                "NOT_FOUND", f"The requested URL {request.url.path} was not found on this server.", code=404
            )
        rpc = "google.cloud.orgpolicy.v2.OrgPolicy." + ("GetEffectivePolicy" if verb else "GetPolicy")
        token = self.caller(request, rpc, {CLOUD_PLATFORM})
        project = self.permitted(token, ref, GET_ORG_POLICY)
        if project is None:
            raise iam_denied(SERVICE, GET_ORG_POLICY, f"projects/{ref}")
        if verb:
            return JSONResponse(effective_policy(project, constraint))
        rule = project_rule(project, constraint)
        if rule is None:
            raise GoogleError(
                "NOT_FOUND",
                f"Requested entity was not found: projects/{project.number}/policies/{constraint}",
                code=404,
            )
        return JSONResponse(
            {"name": f"projects/{project.number}/policies/{constraint}", "spec": {"rules": [rule]}}
        )


EMULATED = EmulatedService(SERVICE, OrgPolicyBackend)
