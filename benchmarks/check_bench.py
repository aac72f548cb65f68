"""`check` speed: against the emulator with added latency, wall time vs requests x latency.

Run: python benchmarks/check_bench.py [--latency-ms 100] [--scenario service_disabled]
A sequential gcloud-style checklist scores 1.0 on the ratio; targets are <= 4 round trips of wall time
and a ratio <= 0.4. Prints figures only.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--scenario", action="append", help="repeatable; default: healthy, service_disabled, iam_permission_missing")
    args = parser.parse_args()
    for scenario in args.scenario or ["healthy", "service_disabled", "iam_permission_missing"]:
        _one(scenario, args.latency_ms)


def _one(scenario: str, latency_ms: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen([sys.executable, "-m", "gemini_doctor", "emulate", "--scenario", scenario,
                                   "--latency-ms", str(latency_ms), "--write-credentials", tmp], stdout=subprocess.PIPE, text=True)
        try:
            server.stdout.readline()
            env = {"HOME": tmp, "CLOUDSDK_CONFIG": f"{tmp}/gcloud", "NO_GCE_CHECK": "true", "PATH": "/usr/bin:/bin"}
            for line in Path(tmp, "env.sh").read_text().splitlines():
                if line.startswith("export "):
                    name, _, value = line.removeprefix("export ").partition("=")
                    env[name] = shlex.split(value)[0]
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "gemini_doctor", "check", "--format", "json"], env=env,
                                  capture_output=True, text=True)
            wall = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(timeout=15)
    import json

    result = json.loads(done.stdout)
    requests, checks_ms = result["requests"], result["elapsed_ms"]
    ratio = (checks_ms / 1000) / (requests * latency_ms / 1000)
    print(f"{scenario:24} verdict {result['causes'][0]['id'] if result['causes'] else 'healthy':22} "
          f"probes {checks_ms / 1000:.2f} s = {checks_ms / latency_ms:.1f} round trips; {requests} requests; "
          f"ratio {ratio:.2f}; whole command {wall:.2f} s (with start-up)")


if __name__ == "__main__":
    main()
