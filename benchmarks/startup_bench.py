"""Where people wait for the CLI to start: help pages and the demo, as ratios to a bare interpreter.

Run: python benchmarks/startup_bench.py [--runs 15] [--demo-runs 5]
Each command runs in turn with ``python -c pass`` (A B A B ...), and each ratio is the median of the
pairs' ratios, so a machine whose speed drifts still compares like with like. Wall and CPU time
(user + system of the finished child) are both printed: on a busy machine CPU is the steadier one.
The demo runs as on a machine without google-genai (its import made to fail), the case its
2.5 s target is for. Prints figures only; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import compileall
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

WITHOUT_GENAI = (
    "import sys; sys.modules['google.genai'] = None; sys.argv = ['gemini-doctor', *sys.argv[1:]]; "
    "from gemini_doctor.cli.main import main; main()"
)


def _run(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of *argv* (its output thrown away)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _paired(argv: list[str], bare: list[str], runs: int) -> dict[str, float]:
    """Medians of *argv*'s wall and CPU seconds, and of their ratios to *bare* run alternately with it."""
    _run(argv)  # warm the file cache
    mine, base = [], []
    for _ in range(runs):
        mine.append(_run(argv))
        base.append(_run(bare))
    return {
        "wall": statistics.median(w for w, _ in mine),
        "cpu": statistics.median(c for _, c in mine),
        "wall_ratio": statistics.median(m[0] / b[0] for m, b in zip(mine, base, strict=True)),
        "cpu_ratio": statistics.median(m[1] / max(b[1], 1e-3) for m, b in zip(mine, base, strict=True)),
        "bare_wall": statistics.median(w for w, _ in base),
        "bare_cpu": statistics.median(c for _, c in base),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15, help="pairs for each help path")
    parser.add_argument("--demo-runs", type=int, default=5, help="pairs for the demo")
    args = parser.parse_args()

    import gemini_doctor

    compileall.compile_dir(Path(gemini_doctor.__file__).parent, quiet=1)  # as pip install does
    script = Path(sys.executable).with_name("gemini-doctor")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "gemini_doctor"]
    bare = [sys.executable, "-c", "pass"]
    commands = {
        "gemini-doctor --help": ([*cli, "--help"], args.runs),
        "gemini-doctor check --help": ([*cli, "check", "--help"], args.runs),
        "gemini-doctor explain --help": ([*cli, "explain", "--help"], args.runs),
        "demo, no google-genai": ([sys.executable, "-c", WITHOUT_GENAI, "demo"], args.demo_runs),
    }
    print(f"{'command':29} {'wall':>9} {'cpu':>9}   ratio to python -c pass (wall, cpu; median of pairs)")
    for label, (argv, runs) in commands.items():
        f = _paired(argv, bare, runs)
        print(
            f"{label:29} {f['wall'] * 1000:7.0f}ms {f['cpu'] * 1000:7.0f}ms   {f['wall_ratio']:6.2f}x "
            f"{f['cpu_ratio']:6.2f}x   (bare: {f['bare_wall'] * 1000:.0f} ms wall, "
            f"{f['bare_cpu'] * 1000:.0f} ms cpu; {runs} pairs)"
        )
    print("targets: help paths close to 1x; the demo's five scenarios under 2.5 s wall")


if __name__ == "__main__":
    main()
