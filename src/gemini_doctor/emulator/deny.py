"""IAM deny policies in the world: which rule, if any, denies a principal a permission.

A world writes them as Google's IAM v2 deny policies do (snake_case): principals in the v2 forms
(``principal://goog/subject/EMAIL``, ``principal://iam.googleapis.com/projects/-/serviceAccounts/EMAIL``,
``principalSet://goog/public:all``) and permissions in the FQDN form
(``aiplatform.googleapis.com/endpoints.predict``, ``aiplatform.googleapis.com/*``). A deny rule wins over
every allow binding.
"""

from __future__ import annotations

import base64
import hashlib
import re

from ..google.access import fqdn, is_service_account

USER, SERVICE_ACCOUNT, EVERYONE = (
    "principal://goog/subject/",
    "principal://iam.googleapis.com/projects/-/serviceAccounts/",
    "principalSet://goog/public:all",
)
_PRINCIPAL = re.compile(
    r"(principal://goog/subject/|principal://iam\.googleapis\.com/projects/-/serviceAccounts/)[^\s/@]+@[^\s/@]+"
    r"|principalSet://goog/public:all"
)
_PERMISSION = re.compile(r"[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.googleapis\.com/(\*|[A-Za-z]+\.(\*|[A-Za-z]+))")
RULE_LISTS = ("denied_principals", "exception_principals", "denied_permissions", "exception_permissions")
_V2_FIELDS = {
    name: name.split("_")[0] + name.split("_")[1].title() for name in RULE_LISTS
}  # deniedPrincipals…


def v2_principal(email: str) -> str:
    """How a deny policy names the account *email*."""
    return (SERVICE_ACCOUNT if is_service_account(email) else USER) + email


def principal_matches(pattern: str, email: str) -> bool:
    return pattern == EVERYONE or pattern == v2_principal(email)


def permission_matches(pattern: str, permission: str) -> bool:
    """Whether a deny rule's permission *pattern* covers the v1 *permission* (a trailing ``*`` matches the
    rest)."""
    name = fqdn(permission)
    return name.startswith(pattern[:-1]) if pattern.endswith("*") else name == pattern


def rule_denies(rule: dict, email: str, permission: str) -> bool:
    return (
        any(principal_matches(p, email) for p in rule.get("denied_principals", ()))
        and any(permission_matches(p, permission) for p in rule.get("denied_permissions", ()))
        and not any(principal_matches(p, email) for p in rule.get("exception_principals", ()))
        and not any(permission_matches(p, permission) for p in rule.get("exception_permissions", ()))
    )


def denying_policy(policies: list[dict], email: str, permission: str) -> dict | None:
    """The first of *policies* with a rule that denies *email* the *permission*, else None."""
    return next(
        (p for p in policies if any(rule_denies(r, email, permission) for r in p.get("rules", ()))), None
    )


def policy_problem(policy: object) -> tuple[tuple, str] | None:
    """What is wrong with a world's deny policy: (the field path inside it, the message), or None."""
    if not isinstance(policy, dict):
        return (), "must be a mapping with name and rules"
    if not isinstance(policy.get("name"), str) or not re.fullmatch(r"[a-z][a-z0-9-]{0,62}", policy["name"]):
        return ("name",), "is required: the policy ID (lower-case letters, digits and dashes)"
    rules = policy.get("rules")
    if not isinstance(rules, list) or not rules:
        return ("rules",), "must list at least one rule"
    for n, rule in enumerate(rules):
        if not isinstance(rule, dict):
            return ("rules", n), "must be a mapping"
        for name in RULE_LISTS:
            values = rule.get(name, [])
            check = _PRINCIPAL if name.endswith("principals") else _PERMISSION
            bad = (
                next((v for v in values if not isinstance(v, str) or not check.fullmatch(v)), None)
                if isinstance(values, list)
                else values
            )
            if bad is not None:
                form = (
                    "principal://goog/subject/EMAIL, "
                    "principal://iam.googleapis.com/projects/-/serviceAccounts/EMAIL or "
                    "principalSet://goog/public:all"
                    if check is _PRINCIPAL
                    else "SERVICE.googleapis.com/RESOURCE.VERB"
                )
                return ("rules", n, name), f"{bad!r} is not in Google's form ({form})"
        if not rule.get("denied_principals") or not rule.get("denied_permissions"):
            return ("rules", n), "needs denied_principals and denied_permissions"
    return None


def etag(value: object) -> str:
    """A stable etag for a policy's content."""
    return base64.b64encode(hashlib.sha256(repr(value).encode()).digest()[:8]).decode()


def policy_resource(project_number: int | str, policy: dict) -> dict:
    """A world deny policy as IAM v2 shows it (``policies.get``, and Policy Troubleshooter's explanations)."""
    attachment = f"cloudresourcemanager.googleapis.com%2Fprojects%2F{project_number}"
    name = f"policies/{attachment}/denypolicies/{policy['name']}"
    return {
        "name": name,
        "uid": hashlib.sha256(name.encode()).hexdigest()[:32],
        "kind": "DenyPolicy",
        "displayName": policy.get("display_name", ""),
        "etag": etag(policy["rules"]),
        "rules": [
            {"denyRule": {_V2_FIELDS[k]: v for k, v in rule.items() if k in _V2_FIELDS}}
            for rule in policy["rules"]
        ],
    }
