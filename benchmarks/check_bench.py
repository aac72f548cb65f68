"""`check` speed against the emulator: the critical path in round trips and the fixed cost before the first
request.

Run: python benchmarks/check_bench.py [--scenario healthy] [--runs 5]

- critical path = (wall at 300 ms latency - wall at 0 ms) / 0.3 s, in round trips (target <= 3.5);
- fixed cost = time from starting `check` to its first request reaching Google (a recording proxy in front of
  the emulator sees it), as a ratio to `python -c pass` measured in the same run (target <= 20x).
Medians of --runs runs; prints figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

LATENCY_MS = 300


class FirstRequestProxy:
    """A loopback TCP proxy in front of the emulator that notes when the first connection sends its first
    bytes."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.first: float | None = None
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._serve, args=(ready,), daemon=True).start()
        ready.wait()

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._pipe, "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    async def _pipe(self, reader, writer) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)

        async def copy(source, sink, note: bool) -> None:
            while data := await source.read(65536):
                if note and self.first is None:
                    self.first = time.perf_counter()
                sink.write(data)
                await sink.drain()
            sink.close()

        await asyncio.gather(
            copy(reader, upstream_writer, True), copy(upstream_reader, writer, False), return_exceptions=True
        )


def _emulator(scenario: str, latency_ms: int, directory: str) -> tuple[subprocess.Popen, str, dict[str, str]]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gemini_doctor",
            "emulate",
            "--scenario",
            scenario,
            "--latency-ms",
            str(latency_ms),
            "--write-credentials",
            directory,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = server.stdout.readline()
    url = next(word for word in line.split() if word.startswith("http://"))
    env = {
        "HOME": directory,
        "CLOUDSDK_CONFIG": f"{directory}/gcloud",
        "NO_GCE_CHECK": "true",
        "PATH": "/usr/bin:/bin",
    }
    for row in Path(directory, "env.sh").read_text().splitlines():
        if row.startswith("export "):
            name, _, value = row.removeprefix("export ").partition("=")
            env[name] = shlex.split(value)[0]
    return server, url.rstrip("/").rstrip("."), env


def _check(env: dict[str, str], endpoint: str) -> tuple[float, float]:
    """(start time, wall seconds) of one `check --format json` run."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "gemini_doctor", "check", "--format", "json", "--endpoint", endpoint],
        env={**env, "GEMINI_DOCTOR_ENDPOINT": endpoint},
        capture_output=True,
        check=False,
    )
    return start, time.perf_counter() - start


def _bare(runs: int) -> float:
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        walls.append(time.perf_counter() - start)
    return statistics.median(walls)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--scenario", action="append", help="repeatable; default: healthy, iam_permission_missing"
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for scenario in args.scenario or ["healthy", "iam_permission_missing"]:
        with tempfile.TemporaryDirectory() as fast_dir, tempfile.TemporaryDirectory() as slow_dir:
            fast, fast_url, fast_env = _emulator(scenario, 0, fast_dir)
            slow, slow_url, slow_env = _emulator(scenario, LATENCY_MS, slow_dir)
            try:
                proxy = FirstRequestProxy(int(fast_url.rsplit(":", 1)[1]))
                endpoint = f"http://127.0.0.1:{proxy.port}"
                bare, fixed, walls0, walls300 = [], [], [], []
                for _ in range(args.runs):  # interleaved, so load on the machine hits every figure alike
                    bare.append(_bare(1))
                    proxy.first = None
                    start, wall = _check(fast_env, endpoint)
                    fixed.append(proxy.first - start)
                    walls0.append(wall)
                    walls300.append(_check(slow_env, slow_url)[1])
            finally:
                for server in (fast, slow):
                    server.terminate()
                    server.wait(timeout=15)
        bare_s, fixed_s = statistics.median(bare), statistics.median(fixed)
        w0, w300 = statistics.median(walls0), statistics.median(walls300)
        print(
            f"{scenario:24} critical path {(w300 - w0) / (LATENCY_MS / 1000):.2f} round trips "
            f"(wall {w0:.2f} s at 0 ms, {w300:.2f} s at {LATENCY_MS} ms); "
            f"fixed cost before the first request {fixed_s * 1000:.0f} ms = {fixed_s / bare_s:.1f}x python "
            f"-c pass ({bare_s * 1000:.0f} ms)"
        )


if __name__ == "__main__":
    main()
