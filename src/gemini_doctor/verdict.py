"""The check verdict: probe outcomes become evidence for the same engine and catalogue as explain.

The probes it reads by name are looked up in the probe registry when this module loads, so a misspelt ID
fails at import; every other probe reaches the verdict through its facts and its typed result (a result
with ``fill_values()`` gives the fix templates their values).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .engine import Diagnosis, rank
from .engine.diagnosis import UNKNOWN
from .evidence import parse_text
from .evidence.parse import Evidence
from .google.access import is_service_account, member_of
from .google.services import SURFACES
from .probes import FOR_CALL, FOR_KEY_CREATION
from .probes.discovery import Setup
from .probes.ids import require_probes
from .probes.runner import FAIL, OK, Outcome

HEALTHY, PROBLEM, INCONCLUSIVE = 0, 1, 3  # exit codes (2 is a usage error)
# The app's own call decides health; the control call and the model's record are compared with it; Google's
# error texts from the token refresh and the call go to the same parser as explain's.
TARGET, CONTROL, MODEL, TOKEN, KC_PERMISSIONS = require_probes(
    "call_target", "call_control", "model", "token", "kc_permissions", where="verdict.py"
)
# Per purpose (Setup.purpose), the probe whose success means "it works": the call itself, or the caller's
# key-creation permissions (check --for key-creation).
DECIDING_PROBE = {FOR_CALL: TARGET, FOR_KEY_CREATION: KC_PERMISSIONS}
ERROR_TEXTS = (TOKEN, TARGET)
PREVIEW_STAGES = ("PRIVATE_PREVIEW", "PUBLIC_PREVIEW", "EXPERIMENTAL")
# The facts the comparison establishes (declared like a probe's: see probes/registry.py)
FACTS = {
    "only_target_model_unavailable": "Google fails (5xx) for the target model while the control model works",
    "only_target_model_denied": (
        "the target model is denied while the control model works with the same credential"
    ),
    "preview_model_denied": "the denied target model is a preview (by its launch stage or name)",
    "ga_model_denied": "the denied target model is generally available, yet a working credential is refused",
    "model_not_at_location": "the model exists, but not at the Vertex AI location the app uses",
}
PREVIEW_NAME = re.compile(r"preview|-exp\b|experimental", re.I)
BARE_DENIAL = re.compile(
    r"caller does not have permission|\"message\"\s*:\s*\"(permission denied|forbidden)?\"", re.I
)


@dataclass
class CheckResult:
    setup: Setup
    outcomes: dict[str, Outcome]
    diagnosis: Diagnosis | None
    requests: int
    elapsed_ms: int
    titles: dict[str, str] = field(default_factory=dict)

    @property
    def purpose(self) -> str:
        """What was checked: the app's call, or "key-creation"."""
        return self.setup.purpose

    @property
    def healthy(self) -> bool:
        """The deciding probe passed and no probe found a problem (billing off on Vertex is one even if the
        call passed)."""
        target = self.outcomes.get(DECIDING_PROBE[self.purpose])
        return (
            target is not None
            and target.status == OK
            and not any(o.status == FAIL for o in self.outcomes.values())
        )

    @property
    def exit_code(self) -> int:
        if self.healthy:
            return HEALTHY
        return PROBLEM if self.diagnosis is not None and self.diagnosis.found else INCONCLUSIVE

    def to_dict(self) -> dict:
        out = {
            "purpose": self.purpose,
            "healthy": self.healthy,
            "causes": [],
            "checks": [
                {
                    "id": pid,
                    "title": self.titles.get(pid, pid),
                    "status": o.status,
                    "summary": o.summary,
                    "duration_ms": o.duration_ms,
                }
                for pid, o in self.outcomes.items()
            ],
            "credential": self.setup.credential_summary(),
            "traps": [{"id": t.id, "message": t.message} for t in self.setup.traps],
            "start_error": self.setup.start_error,
            "requests": self.requests,
            "elapsed_ms": self.elapsed_ms,
        }
        if self.setup.admin:
            out["admin_credential"] = self.setup.admin.summary()
        if self.diagnosis is not None:
            diagnosed = self.diagnosis.to_dict()
            out["causes"] = [c for c in diagnosed["causes"] if c["id"] != UNKNOWN]
            out["parsed"] = diagnosed["parsed"]
        out["summary"] = summary_line(self)
        return out


def summary_line(result: CheckResult) -> str:
    setup = result.setup
    if result.healthy and result.purpose == FOR_KEY_CREATION:
        return (
            f"Healthy: you may create an AI Studio key in project {setup.project}: the permissions and "
            "the organization policy allow it."
        )
    if result.healthy:
        return (
            f"Healthy: {setup.model} answers on "
            f"{SURFACES[setup.surface].name if setup.surface in SURFACES else setup.surface} with this "
            "credential. If your app still fails, compare its model, region and credential with the ones "
            "checked here."
        )
    if result.exit_code == PROBLEM:
        problem = f"Problem: {result.diagnosis.top.cause.title} ({result.diagnosis.top.cause.id})."
        return (
            f"{problem} Your app would not even start: google-genai raises {setup.start_error}"
            if setup.start_error
            else problem
        )
    return "Inconclusive: the checks that would decide could not run (see the checklist)."


def verdict(
    setup: Setup, outcomes: dict[str, Outcome], requests: int, elapsed_ms: int, titles: dict[str, str]
) -> CheckResult:
    result = CheckResult(setup, outcomes, None, requests, elapsed_ms, titles)
    if result.healthy:
        return result
    facts = dict(setup.facts)
    for outcome in outcomes.values():
        facts.update(outcome.facts)
    facts.update(_comparisons(setup, outcomes))
    texts = [o.error_text for key in ERROR_TEXTS if (o := outcomes.get(key)) and o.error_text]
    if not facts and not texts:
        return (
            result  # nothing was seen that points to a cause: inconclusive, never a guess from priors alone
        )
    parsed = parse_text("\n".join(texts))
    if parsed.record.surface is None:
        parsed.record.surface = setup.surface  # the surface the user chose decides which fix comes first
    known = _known_values(setup, outcomes)
    parsed.record.deny_policy = known.get("deny_policy")  # a deny policy decides which IAM fix applies
    evidence = Evidence(record=parsed.record, text=parsed.text, facts=facts, lowered=parsed.lowered)
    result.diagnosis = rank(evidence, extra_values=known)
    return result


def _comparisons(setup: Setup, outcomes: dict[str, Outcome]) -> dict[str, str]:
    """Facts that come from comparing probes: the target model against the control model."""
    target, control, model = outcomes.get(TARGET), outcomes.get(CONTROL), outcomes.get(MODEL)
    if not target or target.status == OK or target.result is None or not control or control.status != OK:
        return {}
    status, works = target.result.status, control.result.model
    if status >= 500:
        return {"only_target_model_unavailable": f"{setup.model}: HTTP {status}; {works} works"}
    if status == 403:
        facts = {"only_target_model_denied": f"{setup.model} denied; {works} works with the same credential"}
        if not BARE_DENIAL.search(target.error_text or ""):
            return facts  # Google said why (org policy, IAM, ...): the text decides
        stage = model.result.launch_stage if model and model.status == OK else None
        if stage in PREVIEW_STAGES or PREVIEW_NAME.search(setup.model):
            facts["preview_model_denied"] = f"{setup.model} is a preview model ({stage or 'by its name'})"
        else:
            facts["ga_model_denied"] = (
                f"{setup.model} is generally available, yet denied to a working credential"
            )
        return facts
    if (
        status == 404
        and setup.surface == "vertex"
        and setup.location != "global"
        and model
        and model.status == OK
    ):
        return {"model_not_at_location": f"{setup.model} exists but not at {setup.location}"}
    return {}


def _known_values(setup: Setup, outcomes: dict[str, Outcome]) -> dict[str, str]:
    """What the fix templates should say: the model and location, the project (the real ID when a probe read
    it), what the probes' results give (``fill_values()``), and the principal."""
    values = {"model": setup.model, "location": setup.location}
    if setup.project:
        values["project"] = setup.project
    for outcome in outcomes.values():
        fill_values = getattr(outcome.result, "fill_values", None)
        if fill_values is not None:
            values.update(fill_values())
    principal = setup.principal
    if principal:
        values["principal"] = member_of(principal)
        if is_service_account(principal):
            values["email"] = principal
    return values


__all__ = ["CheckResult", "verdict", "HEALTHY", "PROBLEM", "INCONCLUSIVE"]
