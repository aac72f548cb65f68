"""Explain-path figures: cold CLI start-up vs a bare interpreter, and batch throughput.

Run: python benchmarks/explain_bench.py [--runs 15] [--repeat 100] [--batch-runs 5]
Prints figures only; nothing here asserts a timing. The package is byte-compiled first, as
``pip install`` does (an editable install under PYTHONDONTWRITEBYTECODE would otherwise compile
every module on every start).

The batch (the shared corpus repeated) runs in one process (``--jobs 1``) and by default
(``--jobs auto``: one worker per CPU this process may use), in pairs, each run after a reference loop
(``sum(range(10**7))``) in as many processes at once: each figure is also given per reference loop
(errors/s x the loop's seconds), which a machine's speed, and on a shared machine its load, moves
less than errors/s.
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

from gemini_doctor.cli.explain_run import processes

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-errors.jsonl"
REFERENCE_LOOP = (
    "import time; start = time.perf_counter(); sum(range(10**7)); print(time.perf_counter() - start)"
)
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


def _reference_loop(processes: int) -> float:
    """Seconds of the reference loop when *processes* run it at once: the slowest one's."""
    runs = [
        subprocess.Popen([sys.executable, "-c", REFERENCE_LOOP], stdout=subprocess.PIPE)
        for _ in range(processes)
    ]
    return max(float(run.communicate()[0]) for run in runs)


def _batch_run(path: str, jobs: str, workers: int) -> tuple[float, float]:
    """Seconds for the batch in *path* with ``--jobs`` *jobs*, and the reference loop's in *workers*
    processes at once, measured just before it."""
    loop = _reference_loop(workers)
    argv = [sys.executable, "-m", "gemini_doctor", "explain", "--batch", path, "--format", "json"]
    return _median_ms([*argv, "--jobs", jobs], 1) / 1000, loop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--repeat", type=int, default=100, help="how many times the corpus is repeated in the batch"
    )
    parser.add_argument("--batch-runs", type=int, default=5, help="pairs of batch runs; medians are printed")
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
    workers = processes("auto")
    _batch_run(batch.name, "1", 1)  # the file and the package in the page cache for both
    runs: dict[str, list[tuple[float, float]]] = {"1": [], "auto": []}
    for _ in range(args.batch_runs):  # in pairs, so that both see the machine as it is at the time
        runs["1"].append(_batch_run(batch.name, "1", 1))
        runs["auto"].append(_batch_run(batch.name, "auto", workers))
    Path(batch.name).unlink()
    labels = {"1": "one process (--jobs 1)", "auto": f"default (--jobs auto, {workers} workers)"}
    for jobs, label in labels.items():
        seconds = statistics.median(s for s, _ in runs[jobs])
        per_loop = statistics.median(count / s * loop for s, loop in runs[jobs])
        print(
            f"{'batch, ' + label:42}: {count} errors in {seconds:.2f} s = {count / seconds:,.0f} errors/s, "
            f"{per_loop:,.0f} per reference loop (medians of {args.batch_runs}; target >= 5,000 errors/s)"
        )
    gain = statistics.median(
        one / default for (one, _), (default, _) in zip(runs["1"], runs["auto"], strict=True)
    )
    print(f"{'batch, default / one process':42}: {gain:.2f}x errors/s (median of the pairs' ratios)")
    one = statistics.median(loop for _, loop in runs["1"])
    many = statistics.median(loop for _, loop in runs["auto"])
    print(
        f"{'machine (reference loop)':42}: sum(range(10**7)) in {one:.3f} s in one process, "
        f"{many:.3f} s in each of {workers} at once"
    )


if __name__ == "__main__":
    main()
