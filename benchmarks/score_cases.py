"""Accuracy and calibration of ``explain`` on labelled real errors: the shared corpus, dev and held-out.

Run from the repo root: python benchmarks/score_cases.py [--json] [--show-held-out] [--shared PATH]

For each set it prints: cases, determinable cases, first cause acceptable (over determinable cases),
truth in the top three, settled share, and settled precision (settled answers whose first cause is the
truth). Failing ids with their top three are listed for the shared corpus and dev only: held-out is
scored, never studied, unless --show-held-out is given. Always exits 0 when the data files load.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "tests" / "data" / "cases"
SHARED_CORPUS = REPO.parent / "shared" / "corpus" / "real-errors.jsonl"


@dataclass
class Outcome:
    """One case's verdict from explain, judged against its labels."""

    case_id: str
    ranked: list[str]
    settled: bool
    determinable: bool
    first_ok: bool
    truth_in_top3: bool
    truth_first: bool


@dataclass
class Score:
    """The figures for one set of cases."""

    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    def figures(self) -> dict:
        total = len(self.outcomes)
        determinable = [o for o in self.outcomes if o.determinable]
        settled = [o for o in self.outcomes if o.settled]
        return {
            "n": total,
            "determinable": len(determinable),
            "first_acceptable_pct": _pct(sum(o.first_ok for o in determinable), len(determinable)),
            "truth_top3_pct": _pct(sum(o.truth_in_top3 for o in self.outcomes), total),
            "settled_pct": _pct(len(settled), total),
            "settled_precision_pct": _pct(sum(o.truth_first for o in settled), len(settled)),
            "settled_n": len(settled),
        }

    def failures(self) -> list[dict]:
        failing = []
        for o in self.outcomes:
            reasons = []
            if o.determinable and not o.first_ok:
                reasons.append("first not acceptable")
            if not o.truth_in_top3:
                reasons.append("truth not in top 3")
            if o.settled and not o.truth_first:
                reasons.append("settled but wrong")
            if reasons:
                failing.append({"id": o.case_id, "top3": o.ranked[:3], "settled": o.settled, "why": reasons})
        return failing


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def load_cases(path: Path) -> list[dict]:
    """Read a JSONL file of labelled cases; blank lines are skipped."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(name: str, cases: list[dict]) -> Score:
    from gemini_doctor import explain

    result = Score(name)
    for case in cases:
        diagnosis = explain(case["error_text"])
        ranked = [c.cause.id for c in diagnosis.causes]
        settled = bool(diagnosis.to_dict()["settled"])
        first = ranked[0] if ranked else None
        result.outcomes.append(
            Outcome(
                case_id=case["id"],
                ranked=ranked,
                settled=settled,
                determinable=bool(case["determinable"]),
                first_ok=first in case["expected"],
                truth_in_top3=case["truth"] in ranked[:3],
                truth_first=first == case["truth"],
            )
        )
    return result


def _fmt(value: float | None) -> str:
    return "   -  " if value is None else f"{value:5.1f}%"


def print_table(scores: list[Score], show_failures: set[str]) -> None:
    header = (
        f"{'set':10} {'n':>4} {'det':>4} {'first ok':>9} {'top-3':>7} {'settled':>8} {'settled prec':>13}"
    )
    print(header)
    print("-" * len(header))
    for s in scores:
        f = s.figures()
        print(
            f"{s.name:10} {f['n']:4} {f['determinable']:4} {_fmt(f['first_acceptable_pct']):>9} "
            f"{_fmt(f['truth_top3_pct']):>7} {_fmt(f['settled_pct']):>8} "
            f"{_fmt(f['settled_precision_pct']):>8} ({f['settled_n']})"
        )
    for s in scores:
        if s.name not in show_failures:
            continue
        failing = s.failures()
        print(f"\n{s.name}: {len(failing)} failing")
        for item in failing:
            mark = " settled" if item["settled"] else ""
            print(f"  {item['id']}: {' > '.join(item['top3'])}{mark}  [{'; '.join(item['why'])}]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument(
        "--show-held-out", action="store_true", help="also list held-out failures (spoils it for tuning)"
    )
    parser.add_argument(
        "--shared", type=Path, default=SHARED_CORPUS, help="the shared corpus (skipped if absent)"
    )
    args = parser.parse_args(argv)

    sets: list[tuple[str, Path]] = []
    if args.shared.exists():
        sets.append(("shared", args.shared))
    else:
        print(
            f"note: shared corpus not found at {args.shared}; scoring the repo's cases only", file=sys.stderr
        )
    sets += [("dev", CASES / "dev.jsonl"), ("held-out", CASES / "held_out.jsonl")]
    try:
        scores = [score(name, load_cases(path)) for name, path in sets]
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: cannot load the cases: {exc}", file=sys.stderr)
        return 2
    everything = Score("all", [o for s in scores for o in s.outcomes])
    shown = {"shared", "dev"} | ({"held-out"} if args.show_held_out else set())

    if args.json:
        out = {s.name: s.figures() for s in [*scores, everything]}
        for s in scores:
            if s.name in shown:
                out[s.name]["failing"] = s.failures()
        print(json.dumps(out, indent=2))
    else:
        print_table([*scores, everything], shown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
