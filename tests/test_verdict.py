"""check's verdict names a cause only on something seen: a fact, or Google's own error text."""

from gemini_doctor.probes.discovery import Setup
from gemini_doctor.probes.runner import COULD_NOT_CHECK, SKIPPED, Outcome
from gemini_doctor.verdict import INCONCLUSIVE, PROBLEM, verdict


def _setup() -> Setup:
    return Setup(surface="vertex", model="gemini-3.5-flash", location="us-central1", project="acme-prod")


def test_nothing_seen_is_inconclusive_never_a_guess_from_priors():
    outcomes = {
        "token": Outcome(COULD_NOT_CHECK, "could not reach the token endpoint: the connection was reset"),
        "call_target": Outcome(SKIPPED, "not run: needs token"),
    }
    result = verdict(_setup(), outcomes, 1, 5, {})
    assert result.exit_code == INCONCLUSIVE and result.diagnosis is None
    assert result.to_dict()["causes"] == [] and result.to_dict()["summary"].startswith("Inconclusive")


def test_a_fact_seen_still_decides():
    outcomes = {
        "token": Outcome(COULD_NOT_CHECK, "no answer"),
        "service": Outcome(
            "fail", "disabled", facts={"service_disabled": "aiplatform.googleapis.com DISABLED"}
        ),
    }
    result = verdict(_setup(), outcomes, 1, 5, {})
    assert result.exit_code == PROBLEM and result.diagnosis.top.cause.id == "service_disabled"
