"""Organization policy as Google evaluates it: the constraints that touch Gemini, and what an effective policy
allows.

An effective policy (orgpolicy v2 ``getEffectivePolicy``) is ``{"name", "spec": {"rules": [...]}}``. A list
constraint's rule holds ``values`` (``allowedValues`` / ``deniedValues``), ``allowAll`` or ``denyAll``; a
boolean constraint's rule holds ``enforce``. A denial wins over an allowance; no rule at all allows
everything. Values that name a group (``in:us-locations``) or a subtree (``under:folders/1``) are not expanded
here: a policy that hinges on one is reported as undecided, never guessed.
"""

from __future__ import annotations

ALLOWED_MODELS = "vertexai.allowedModels"  # Model Garden: which publisher models and actions
RESTRICT_SERVICES = "gcp.restrictServiceUsage"  # which Google services the project may use
RESOURCE_LOCATIONS = "gcp.resourceLocations"  # where resources may live
NO_KEYS_BOUND_TO_SERVICE_ACCOUNTS = (
    "iam.managed.disableServiceAccountApiKeyCreation"  # blocks AI Studio's auth keys
)
BOOLEAN_CONSTRAINTS = (NO_KEYS_BOUND_TO_SERVICE_ACCOUNTS,)
ALLOWED, DENIED = "allowed", "denied"


def model_value(model: str, action: str = "predict") -> str:
    """A Google model and action as vertexai.allowedModels names them
    (``publishers/google/models/M:predict``)."""
    return f"publishers/google/models/{model}:{action}"


def _rules(policy: object) -> list[dict]:
    spec = policy.get("spec") if isinstance(policy, dict) else None
    rules = spec.get("rules") if isinstance(spec, dict) else None
    return [r for r in rules or () if isinstance(r, dict)]


def _listed(values: object) -> list[str]:
    return [v for v in values or () if isinstance(v, str)] if isinstance(values, list) else []


def _names(value: str) -> bool:
    """True when *value* is a plain value or ``is:``-prefixed, which this module can compare."""
    return not value.startswith(("in:", "under:"))


def list_verdict(policy: object, *candidates: str) -> str | None:
    """ALLOWED or DENIED for a value that any of *candidates* spells (e.g. a model with and without its
    action), or None when the policy hinges on a group or subtree it names."""
    wanted = set(candidates) | {f"is:{c}" for c in candidates}
    rules = _rules(policy)
    undecided = False
    for rule in rules:
        values = rule.get("values") if isinstance(rule.get("values"), dict) else {}
        denied = _listed(values.get("deniedValues"))
        if rule.get("denyAll") is True or wanted & set(denied):
            return DENIED
        undecided |= any(not _names(v) for v in denied)
    allowed = [
        v
        for rule in rules
        if isinstance(rule.get("values"), dict)
        for v in _listed(rule["values"].get("allowedValues"))
    ]
    if any(rule.get("allowAll") is True for rule in rules) or wanted & set(allowed):
        return None if undecided else ALLOWED
    if not allowed:
        return None if undecided else ALLOWED
    return None if undecided or any(not _names(v) for v in allowed) else DENIED


def enforced(policy: object) -> bool | None:
    """Whether a boolean constraint is enforced (True / False), or None when the policy says neither."""
    flags = [r["enforce"] for r in _rules(policy) if isinstance(r.get("enforce"), bool)]
    return any(flags) if flags else None
