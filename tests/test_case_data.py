"""The labelled real cases are well formed and split by the documented rule (data checks only, no scoring)."""

import hashlib
import json
import re
from pathlib import Path

import pytest

from conftest import CAUSES_MD

CASES = Path(__file__).parent / "data" / "cases"
FIELDS = {
    "id",
    "error_text",
    "surface",
    "client",
    "expected",
    "determinable",
    "truth",
    "confirmed",
    "fix",
    "source",
    "date",
}
SURFACES = {"gemini-api", "vertex", "firebase", "code-assist", "unknown"}


def _rows(name: str) -> list[dict]:
    return [
        json.loads(line) for line in (CASES / name).read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def _held_out(case_id: str) -> bool:
    return int(hashlib.sha256(case_id.encode()).hexdigest(), 16) % 3 == 0


def _admitted_in_order() -> list[str]:
    return [line for line in (CASES / "admission_order.txt").read_text(encoding="utf-8").splitlines() if line]


def test_each_case_sits_where_the_rule_sends_it():
    """Cases admitted before the order file by their id's hash alone; the ones it lists, in its order, by the
    hash with a floor: a case the hash sends to dev goes to held-out when dev would bring held-out under a
    third."""
    dev, held = {r["id"] for r in _rows("dev.jsonl")}, {r["id"] for r in _rows("held_out.jsonl")}
    ordered = _admitted_in_order()
    assert len(set(ordered)) == len(ordered) and set(ordered) <= dev | held
    earlier = (dev | held) - set(ordered)
    assert all(_held_out(i) == (i in held) for i in earlier)
    total, in_held = len(earlier), len(earlier & held)
    for case_id in ordered:
        goes_held = _held_out(case_id) or 3 * in_held < total + 1
        assert goes_held == (case_id in held), case_id
        total, in_held = total + 1, in_held + goes_held


def _contract_ids() -> set[str]:
    if not CAUSES_MD.exists():
        pytest.skip(f"{CAUSES_MD} not found")
    return set(re.findall(r"^- `(\w+)`", CAUSES_MD.read_text(), re.MULTILINE))


def test_cases_are_well_formed_and_name_contract_causes():
    rows = _rows("dev.jsonl") + _rows("held_out.jsonl")
    known = _contract_ids()
    assert len({row["id"] for row in rows}) == len(rows)
    assert len({row["source"] for row in rows}) == len(rows)
    for row in rows:
        assert set(row) == FIELDS, row["id"]
        assert row["surface"] in SURFACES, row["id"]
        assert set(row["expected"]) | {row["truth"]} <= known, row["id"]
        assert not row["determinable"] or row["truth"] in row["expected"], row["id"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", row["date"]), row["id"]


def test_held_out_is_at_least_a_third():
    held, dev = len(_rows("held_out.jsonl")), len(_rows("dev.jsonl"))
    assert 3 * held >= held + dev


def test_google_2026_texts_name_contract_causes():
    rows = [
        json.loads(line)
        for line in (CASES.parent / "google_2026_texts.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    known = _contract_ids()
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        assert row["error_text"] and row["expected_first"], row["id"]
        assert set(row["expected_first"]) <= known, row["id"]
        assert isinstance(row["fix_must_mention"], list), row["id"]
