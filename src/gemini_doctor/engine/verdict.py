"""The check verdict: probe outcomes become evidence for the same engine and catalogue as explain."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..evidence import parse_text
from ..evidence.parse import Evidence
from ..google.access import member_of
from ..google.services import SURFACES
from ..probes.discovery import Setup
from ..probes.runner import FAIL, OK, Outcome
from .diagnosis import Diagnosis
from .rank import rank

HEALTHY, PROBLEM, INCONCLUSIVE = 0, 1, 3   # exit codes (2 is a usage error)
# Per purpose, the probe whose success means "it works": the call itself, or the caller's key-creation permissions.
DECIDING_PROBE = {"call": "call_target", "key-creation": "kc_permissions"}
PREVIEW_NAME = re.compile(r"preview|-exp\b|experimental", re.I)
BARE_DENIAL = re.compile(r"caller does not have permission|\"message\"\s*:\s*\"(permission denied|forbidden)?\"", re.I)


@dataclass
class CheckResult:
    setup: Setup
    outcomes: dict[str, Outcome]
    diagnosis: Diagnosis | None
    requests: int
    elapsed_ms: int
    titles: dict[str, str] = field(default_factory=dict)
    purpose: str = "call"      # what was checked: the app's call, or "key-creation"

    @property
    def healthy(self) -> bool:
        """The deciding probe passed and no probe found a problem (billing off on Vertex is one even if the call passed)."""
        target = self.outcomes.get(DECIDING_PROBE[self.purpose])
        return target is not None and target.status == OK and not any(o.status == FAIL for o in self.outcomes.values())

    @property
    def exit_code(self) -> int:
        if self.healthy:
            return HEALTHY
        return PROBLEM if self.diagnosis is not None and self.diagnosis.found else INCONCLUSIVE

    def to_dict(self) -> dict:
        out = {"purpose": self.purpose, "healthy": self.healthy, "causes": [], "checks": [
            {"id": pid, "title": self.titles.get(pid, pid), "status": o.status, "summary": o.summary, "duration_ms": o.duration_ms}
            for pid, o in self.outcomes.items()],
            "credential": self.setup.credential_summary(),
            "traps": [{"id": t.id, "message": t.message} for t in self.setup.traps],
            "start_error": self.setup.start_error,
            "requests": self.requests, "elapsed_ms": self.elapsed_ms}
        if self.setup.admin:
            out["admin_credential"] = self.setup.admin.summary()
        if self.diagnosis is not None:
            diagnosed = self.diagnosis.to_dict()
            out["causes"] = [c for c in diagnosed["causes"] if c["id"] != "unknown"]
            out["parsed"] = diagnosed["parsed"]
        out["summary"] = summary_line(self)
        return out


def summary_line(result: CheckResult) -> str:
    setup = result.setup
    if result.healthy and result.purpose == "key-creation":
        return f"Healthy: you may create an AI Studio key in project {setup.project}: the permissions and the organization policy allow it."
    if result.healthy:
        return (f"Healthy: {setup.model} answers on {SURFACES[setup.surface].name if setup.surface in SURFACES else setup.surface} with this credential. If your app still fails, "
                "compare its model, region and credential with the ones checked here.")
    if result.exit_code == PROBLEM:
        problem = f"Problem: {result.diagnosis.top.cause.title} ({result.diagnosis.top.cause.id})."
        return f"{problem} Your app would not even start: google-genai raises {setup.start_error}" if setup.start_error else problem
    return "Inconclusive: the checks that would decide could not run (see the checklist)."


def verdict(setup: Setup, outcomes: dict[str, Outcome], requests: int, elapsed_ms: int, titles: dict[str, str],
            purpose: str = "call") -> CheckResult:
    result = CheckResult(setup, outcomes, None, requests, elapsed_ms, titles, purpose)
    if result.healthy:
        return result
    facts = dict(setup.facts)
    for outcome in outcomes.values():
        facts.update(outcome.facts)
    facts.update(_comparisons(setup, outcomes))
    texts = [o.error_text for key in ("token", "call_target") if (o := outcomes.get(key)) and o.error_text]
    parsed = parse_text("\n".join(texts))
    if parsed.record.surface is None:
        parsed.record.surface = setup.surface       # the surface the user chose decides which fix comes first
    known = _known_values(setup, outcomes)
    parsed.record.deny_policy = known.get("deny_policy")   # a deny policy decides which IAM fix applies
    evidence = Evidence(record=parsed.record, text=parsed.text, facts=facts, lowered=parsed.lowered)
    result.diagnosis = rank(evidence, extra_values=known)
    return result


def _comparisons(setup: Setup, outcomes: dict[str, Outcome]) -> dict[str, str]:
    """Facts that come from comparing probes: the target model against the control model."""
    target, control, model = outcomes.get("call_target"), outcomes.get("call_control"), outcomes.get("model")
    if not target or target.status == OK or "status" not in target.data or not control or control.status != OK:
        return {}
    status, works = target.data.get("status", 0), control.data["model"]
    if status >= 500:
        return {"only_target_model_unavailable": f"{setup.model}: HTTP {status}; {works} works"}
    if status == 403:
        facts = {"only_target_model_denied": f"{setup.model} denied; {works} works with the same credential"}
        if not BARE_DENIAL.search(target.error_text or ""):
            return facts                 # Google said why (org policy, IAM, ...): the text decides
        stage = model.data.get("launch_stage") if model and model.status == OK else None
        if stage in ("PRIVATE_PREVIEW", "PUBLIC_PREVIEW", "EXPERIMENTAL") or PREVIEW_NAME.search(setup.model):
            facts["preview_model_denied"] = f"{setup.model} is a preview model ({stage or 'by its name'})"
        else:
            facts["ga_model_denied"] = f"{setup.model} is generally available, yet denied to a working credential"
        return facts
    if status == 404 and setup.surface == "vertex" and setup.location != "global" and model and model.status == OK:
        return {"model_not_at_location": f"{setup.model} exists but not at {setup.location}"}
    return {}


def _known_values(setup: Setup, outcomes: dict[str, Outcome]) -> dict[str, str]:
    """What the fix templates should say: the real project id, principal, location and model."""
    values = {"model": setup.model, "location": setup.location}
    project = outcomes.get("project")
    project_id = project.data.get("id") if project and project.status == OK else None
    if project_id or setup.project:
        values["project"] = project_id or setup.project
    lookup = outcomes.get("key_lookup")
    if lookup and lookup.status == OK and lookup.data.get("name"):
        values["key_id"] = str(lookup.data["name"]).rsplit("/", 1)[-1]
    billing = outcomes.get("billing")
    accounts = billing.data.get("open_accounts", []) if billing else []
    if len(accounts) == 1:                   # one account to link: the fix can name it (several: the user picks)
        values["billing_account"] = accounts[0]
    troubleshooter = outcomes.get("policy_troubleshooter")
    if troubleshooter and troubleshooter.data.get("deny_policy"):
        values["deny_policy"] = troubleshooter.data["deny_policy"]
    principal = setup.principal
    if principal:
        values["principal"] = member_of(principal)
        if principal.endswith(".gserviceaccount.com"):
            values["email"] = principal
    for outcome in outcomes.values():      # what a probe measured outranks defaults (e.g. the missing permission)
        values.update(outcome.data.get("fix_values") or {})
    return values


__all__ = ["CheckResult", "verdict", "HEALTHY", "PROBLEM", "INCONCLUSIVE"]
