"""Emulator under load: requests from a second process over loopback; throughput, p50/p99, correctness.

Run: python benchmarks/emulator_load.py [--requests 3000] [--concurrency 100]
Starts `gemini-doctor emulate --scenario healthy` as its own process, sends a mix of good and bad
calls (valid key, unknown key, no key, unknown model) over keep-alive connections, and checks every
answer. The client is a few lines of HTTP/1.1 on asyncio streams, so that the figures measure the
emulator rather than a client library. Prints figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from urllib.parse import urlsplit

import httpx

from gemini_doctor.emulator.scenarios import KEY

MIX = [  # (headers, model, expected status, expected reason or None)
    ({"x-goog-api-key": KEY}, "gemini-2.5-flash", 200, None),
    ({"x-goog-api-key": KEY[:-4] + "XXXX"}, "gemini-2.5-flash", 400, "API_KEY_INVALID"),
    ({}, "gemini-2.5-flash", 403, None),
    ({"x-goog-api-key": KEY}, "gemini-0.1-nope", 404, None),
]


async def _request(reader, writer, n: int) -> tuple[int, dict]:
    headers, model, _, _ = MIX[n % len(MIX)]
    body = json.dumps({"contents": [{"parts": [{"text": f"request {n}"}]}]}).encode()
    head = f"POST /v1beta/models/{model}:generateContent HTTP/1.1\r\nHost: emulator\r\ncontent-type: application/json\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + f"content-length: {len(body)}\r\n\r\n"
    writer.write(head.encode() + body)
    await writer.drain()
    response_head = (await reader.readuntil(b"\r\n\r\n")).decode()
    status = int(response_head.split(" ", 2)[1])
    length = next(int(line.split(":", 1)[1]) for line in response_head.split("\r\n") if line.lower().startswith("content-length:"))
    return status, json.loads(await reader.readexactly(length))


async def _connection(host: str, port: int, numbers: range, latencies: list[float], wrong: list[str]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    for n in numbers:
        _, _, status, reason = MIX[n % len(MIX)]
        start = time.perf_counter()
        got, body = await _request(reader, writer, n)
        latencies.append((time.perf_counter() - start) * 1000)
        got_reason = next((d.get("reason") for d in body.get("error", {}).get("details", []) if "reason" in d), None)
        if got != status or got_reason != reason or (status == 200 and not body.get("candidates")):
            wrong.append(f"request {n}: {got} {got_reason}")
    writer.close()


async def _drive(url: str, total: int, concurrency: int) -> tuple[list[float], list[str], float]:
    parts = urlsplit(url)
    latencies: list[float] = []
    wrong: list[str] = []
    start = time.perf_counter()
    await asyncio.gather(*(_connection(parts.hostname, parts.port, range(c, total, concurrency), latencies, wrong)
                           for c in range(concurrency)))
    return latencies, wrong, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, "-m", "gemini_doctor", "emulate", "--scenario", "healthy"],
                              stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip().removeprefix("listening on ")
        latencies, wrong, elapsed = asyncio.run(_drive(url, args.requests, args.concurrency))
        stats = httpx.get(f"{url}/_emulator/stats").json()
    finally:
        server.terminate()
        server.wait(timeout=15)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"requests sent        : {args.requests} (concurrency {args.concurrency}, 4-way mix of good and failing calls)")
    print(f"answered / counted   : {len(latencies)} / {stats['requests']} (lost: {args.requests - len(latencies)})")
    print(f"answered wrongly     : {len(wrong)}" + (f" e.g. {wrong[:3]}" if wrong else ""))
    print(f"throughput           : {args.requests / elapsed:,.0f} requests/s over {elapsed:.2f} s")
    print(f"latency p50 / p99    : {statistics.median(latencies):.1f} ms / {p99:.1f} ms")


if __name__ == "__main__":
    main()
