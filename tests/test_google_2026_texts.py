"""Every error text quoted in the 2026 survey of Google's changes gets the cause its ranked list names,
with a fix that names the right API, host, project owner and replacement model.

The texts and what each answer must (not) say are data (tests/data/google_2026_texts.jsonl): one rule
here, no case written into code.
"""

import json
from pathlib import Path

import pytest

from gemini_doctor import explain

TEXTS = Path(__file__).resolve().parent / "data" / "google_2026_texts.jsonl"
CASES = (
    [json.loads(line) for line in TEXTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    if TEXTS.exists()
    else []
)


def _fix_text(cause: dict) -> str:
    return " ".join(
        " ".join(filter(None, (s.get("step"), s.get("command"), s.get("url")))) for s in cause["fix"]
    )


@pytest.mark.skipif(not CASES, reason="tests/data/google_2026_texts.jsonl is not in this checkout")
@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_text_gets_the_named_cause_and_fix(case):
    result = explain(case["error_text"]).to_dict()
    first = result["causes"][0]
    assert first["id"] in case["expected_first"], [c["id"] for c in result["causes"]]
    fix = _fix_text(first)
    for needed in case.get("fix_must_mention", []):
        assert needed.lower() in fix.lower(), (needed, fix)
    for banned in case.get("fix_must_not_mention", []):
        assert banned.lower() not in fix.lower(), (banned, fix)
