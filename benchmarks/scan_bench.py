"""`scan` throughput: a synthetic log (errors sparse among normal lines), MB/s and peak memory.

Run: python benchmarks/scan_bench.py [--mb 200]
Prints figures only. Memory should stay flat whatever the size (streaming).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time

NORMAL = "{ts} INFO  http request handled method=GET path=/api/v1/items/{n} status=200 duration_ms={d} user=u{u}\n"
ERRORS = [
    '{ts} ERROR gemini call failed: google.genai.errors.ClientError: 403 PERMISSION_DENIED. {{"error": {{"code": 403, "message": "Permission \'aiplatform.endpoints.predict\' denied on resource \'//aiplatform.googleapis.com/projects/acme/locations/global/publishers/google/models/gemini-2.5-pro\' (or it may not exist).", "status": "PERMISSION_DENIED"}}}}\n',
    '{{"timestamp": "{ts}", "severity": "ERROR", "message": "429 RESOURCE_EXHAUSTED. You exceeded your current quota. * Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: gemini-2.5-pro"}}\n',
    '{ts} ERROR upstream said: {{\n  "error": {{\n    "code": 503,\n    "message": "The model is overloaded. Please try again later.",\n    "status": "UNAVAILABLE"\n  }}\n}}\n',
]


def write_log(path: str, megabytes: int, every: int = 20_000) -> int:
    errors, n, size, target = 0, 0, 0, megabytes * 1_000_000
    with open(path, "w") as out:
        while size < target:
            lines = []
            for _ in range(5000):
                n += 1
                ts = f"2025-06-01T{(n // 3600000) % 24:02d}:{(n // 60000) % 60:02d}:{(n // 1000) % 60:02d}Z"
                if n % every == 0:
                    lines.append(ERRORS[errors % len(ERRORS)].format(ts=ts))
                    errors += 1
                else:
                    lines.append(NORMAL.format(ts=ts, n=n, d=n % 97, u=n % 1000))
            chunk = "".join(lines)
            out.write(chunk)
            size += len(chunk)
    return errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    with tempfile.NamedTemporaryFile(suffix=".log") as log:
        planted = write_log(log.name, args.mb)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "gemini_doctor", "scan", "--format", "json", log.name],
                              capture_output=True, text=True)
        wall = time.perf_counter() - start
    report = json.loads(done.stdout)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"log                : {report['bytes'] / 1e6:,.0f} MB, {report['lines']:,} lines, {planted} errors planted")
    print(f"found              : {report['errors']} errors in {len(report['groups'])} causes "
          + ", ".join(f"{g['cause']} x{g['count']}" for g in report["groups"]))
    print(f"throughput         : {report['bytes'] / 1e6 / report['seconds']:,.0f} MB/s scanning "
          f"({report['bytes'] / 1e6 / wall:,.0f} MB/s for the whole command, {wall:.2f} s; one core; target >= 50)")
    print(f"peak memory (RSS)  : {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
