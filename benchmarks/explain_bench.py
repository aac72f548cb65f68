"""Explain-path figures: cold CLI start-up vs a bare interpreter, and batch throughput.

Run: python benchmarks/explain_bench.py [--runs 15] [--repeat 100]
Prints figures only; nothing here asserts a timing. The package is byte-compiled first, as
``pip install`` does (an editable install under PYTHONDONTWRITEBYTECODE would otherwise compile
every module on every start). The last line times a plain Python loop, to compare machines.
"""

from __future__ import annotations

import argparse
import compileall
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-errors.jsonl"
SAMPLE = (
    '{"error":{"code":403,"status":"PERMISSION_DENIED","message":"Request had insufficient '
    'authentication scopes."}}'
)


def _median_ms(argv: list[str], runs: int, stdin: bytes = b"") -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--repeat", type=int, default=100, help="how many times the corpus is repeated in the batch"
    )
    parser.add_argument("--batch-runs", type=int, default=3, help="batch runs; the median is printed")
    args = parser.parse_args()

    import gemini_doctor

    compileall.compile_dir(Path(gemini_doctor.__file__).parent, quiet=1)
    bare = _median_ms([sys.executable, "-c", "pass"], args.runs)
    print(f"bare interpreter      : {bare:7.1f} ms (median of {args.runs})")
    script = Path(sys.executable).with_name("gemini-doctor")
    commands = {"gemini-doctor explain": [str(script)]} if script.exists() else {}
    commands["python -m gemini_doctor explain"] = [sys.executable, "-m", "gemini_doctor"]
    for label, command in commands.items():
        cold = _median_ms([*command, "explain", "--format", "json"], args.runs, SAMPLE.encode())
        print(f"{label:31}: {cold:7.1f} ms = {cold / bare:.2f}x bare (target <= 5x)")

    cases = (
        [json.loads(line) for line in CORPUS.read_text().splitlines()]
        if CORPUS.exists()
        else [{"id": "s", "error_text": SAMPLE}]
    )
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as batch:
        for n in range(args.repeat):
            for case in cases:
                batch.write(json.dumps({"id": f"{case['id']}-{n}", "error_text": case["error_text"]}) + "\n")
    count = len(cases) * args.repeat
    elapsed = (
        _median_ms(
            [sys.executable, "-m", "gemini_doctor", "explain", "--batch", batch.name, "--format", "json"],
            args.batch_runs,
        )
        / 1000
    )
    Path(batch.name).unlink()
    print(
        f"batch                 : {count} errors in {elapsed:.2f} s = {count / elapsed:,.0f} errors/s "
        f"(one process, one core, median of {args.batch_runs}; target >= 5,000)"
    )
    start = time.perf_counter()
    sum(range(10**7))
    print(f"machine               : sum(range(10**7)) in {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
