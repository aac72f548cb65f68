"""Emulator under load, over loopback: slow connections, a burst with early disconnects, then steady traffic.

Run: python benchmarks/emulator_load.py [--slow 2000] [--burst 2500] [--requests 3000] [--concurrency 100]

Starts `gemini-doctor emulate --scenario healthy` as its own process (its stderr kept), then:
1. opens SLOW connections that send nothing or trickle their headers a byte at a time, and keeps
   them open through the rest of the run; the emulator must close each one by itself;
2. sends a BURST of requests at once, each on its own connection, of which one in four leaves
   early (after a whole request, or halfway through its body) without reading the answer;
   every other request must be answered, and answered right;
3. sends REQUESTS over CONCURRENCY keep-alive connections (a mix of good and failing calls) for
   throughput and latency.
Prints figures only; the emulator's stderr must hold no traceback. The client is a few lines of
HTTP/1.1 on asyncio streams, so that the figures measure the emulator rather than a client library.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
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
TRICKLE = (
    b"POST /v1beta/models/gemini-2.5-flash:generateContent HTTP/1.1\r\nhost: emulator\r\nx-slow: "
    + b"a" * 4000
)


def _request_bytes(n: int) -> bytes:
    headers, model, _, _ = MIX[n % len(MIX)]
    body = json.dumps({"contents": [{"parts": [{"text": f"request {n}"}]}]}).encode()
    head = (
        f"POST /v1beta/models/{model}:generateContent HTTP/1.1\r\nHost: emulator\r\ncontent-type: "
        "application/json\r\n"
    )
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + f"content-length: {len(body)}\r\n\r\n"
    return head.encode() + body


async def _exchange(reader, writer, n: int) -> tuple[int, dict]:
    writer.write(_request_bytes(n))
    await writer.drain()
    response_head = (await reader.readuntil(b"\r\n\r\n")).decode()
    status = int(response_head.split(" ", 2)[1])
    length = next(
        int(line.split(":", 1)[1])
        for line in response_head.split("\r\n")
        if line.lower().startswith("content-length:")
    )
    return status, json.loads(await reader.readexactly(length))


def _wrong(n: int, status: int, body: dict) -> str | None:
    _, _, expected, reason = MIX[n % len(MIX)]
    got_reason = next(
        (d.get("reason") for d in body.get("error", {}).get("details", []) if "reason" in d), None
    )
    if status != expected or got_reason != reason or (expected == 200 and not body.get("candidates")):
        return f"request {n}: {status} {got_reason}"
    return None


async def _slow(host: str, port: int, n: int, closed_after: list[float]) -> None:
    """Send nothing (even n) or one header byte a second (odd n) until the emulator closes the connection."""
    start = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        return
    try:
        for byte in TRICKLE:
            if n % 2:
                writer.write(bytes([byte]))
            try:
                if await asyncio.wait_for(reader.read(1), 1.0) == b"":
                    break
            except TimeoutError:
                continue
        closed_after.append(time.perf_counter() - start)
    except ConnectionError:
        closed_after.append(time.perf_counter() - start)
    finally:
        writer.close()


async def _burst_one(host: str, port: int, n: int, wrong: list[str], answered: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    if n % 4 == 3:  # leaves early: a whole request, or half of its body
        data = _request_bytes(n)
        writer.write(data if n % 8 == 3 else data[: len(data) - 20])
        await writer.drain()
        writer.transport.abort()
        return
    status, body = await _exchange(reader, writer, n)
    answered.append(n)
    if problem := _wrong(n, status, body):
        wrong.append(problem)
    writer.close()


async def _connection(host: str, port: int, numbers: range, latencies: list[float], wrong: list[str]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    for n in numbers:
        start = time.perf_counter()
        status, body = await _exchange(reader, writer, n)
        latencies.append((time.perf_counter() - start) * 1000)
        if problem := _wrong(n, status, body):
            wrong.append(problem)
    writer.close()


async def _drive(url: str, args) -> dict:
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port
    closed_after: list[float] = []
    slow = [asyncio.create_task(_slow(host, port, n, closed_after)) for n in range(args.slow)]
    await asyncio.sleep(1)  # the slow clients are connected before the burst
    burst_wrong: list[str] = []
    answered: list[int] = []
    start = time.perf_counter()
    await asyncio.gather(*(_burst_one(host, port, n, burst_wrong, answered) for n in range(args.burst)))
    burst_seconds = time.perf_counter() - start
    latencies: list[float] = []
    wrong: list[str] = []
    start = time.perf_counter()
    await asyncio.gather(
        *(
            _connection(host, port, range(c, args.requests, args.concurrency), latencies, wrong)
            for c in range(args.concurrency)
        )
    )
    steady_seconds = time.perf_counter() - start
    await asyncio.gather(*slow)
    return {
        "closed_after": closed_after,
        "burst_wrong": burst_wrong,
        "answered": answered,
        "burst_seconds": burst_seconds,
        "latencies": latencies,
        "wrong": wrong,
        "steady_seconds": steady_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slow", type=int, default=2000)
    parser.add_argument("--burst", type=int, default=2500)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # this client holds slow + burst connections at once
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with tempfile.TemporaryFile() as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "gemini_doctor", "emulate", "--scenario", "healthy"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        try:
            url = server.stdout.readline().strip().removeprefix("listening on ")
            run = asyncio.run(_drive(url, args))
            stats = httpx.get(f"{url}/_emulator/stats").json()
        finally:
            server.terminate()
            server.wait(timeout=15)
        stderr.seek(0)
        errors = stderr.read().decode(errors="replace")
    latencies = sorted(run["latencies"])
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    closed = sorted(run["closed_after"])
    completed = args.burst - args.burst // 4
    print(
        f"slow connections     : {args.slow} (half silent, half trickling a header byte a second); "
        f"closed by the emulator: {len(closed)}, after {closed[0]:.1f}-{closed[-1]:.1f} s"
        if closed
        else f"slow connections     : {args.slow}; closed by the emulator: 0"
    )
    print(
        f"burst                : {args.burst} requests at once, {args.burst // 4} leaving early; answered "
        f"{len(run['answered'])} / {completed}, wrongly {len(run['burst_wrong'])}, in "
        f"{run['burst_seconds']:.2f} s"
    )
    print(
        f"steady requests      : {args.requests} (concurrency {args.concurrency}, 4-way mix of good and "
        f"failing calls); answered {len(latencies)}, wrongly {len(run['wrong'])}"
        + (f" e.g. {run['wrong'][:3]}" if run["wrong"] else "")
    )
    print(f"emulator counted     : {stats['requests']} requests")
    print(
        f"throughput           : {args.requests / run['steady_seconds']:,.0f} requests/s over "
        f"{run['steady_seconds']:.2f} s"
    )
    print(f"latency p50 / p99    : {statistics.median(latencies):.1f} ms / {p99:.1f} ms")
    print(
        f"emulator stderr      : {len(errors.splitlines())} lines, {errors.count('Traceback')} tracebacks"
        + (f"; first: {errors.splitlines()[0][:160]}" if errors.strip() else "")
    )


if __name__ == "__main__":
    main()
