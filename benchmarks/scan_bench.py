"""`scan` on a realistic log: MB/s, the ratio to `grep -c` on the same file, peak memory, errors found /
planted.

Run: python benchmarks/scan_bench.py [--mb 200] [--every 2000]

The log mixes ordinary application lines (some of them errors of other services), request logs
that name Google and succeeded (one line in 50), and, one line in EVERY, a Gemini/Google error in
one of the formats `explain` reads: a JSON body on one line, google-genai's Python repr, a
pretty-printed body over several lines, api_core's gRPC text with its status details, an OAuth
refresh error, a plain SDK message, Google's message alone (no Google name in the line), a body a
logger cut short, and bodies escaped inside JSON log lines (whole, and cut short). Every planted
error must be found; each format's share is printed.

Prints figures only: scan's wall time against `grep -c googleapis.com` on the same file in the
same run (the baseline; the two run in turn, and the ratio is the median over the pairs), and scan's peak RSS
at the full size and at a quarter of it (memory must not grow with the log).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

MODELS = ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-3-pro-preview", "gemini-2.0-flash")
NORMAL = (
    (
        "{ts} INFO  http request handled method=GET path=/api/v1/items/{n} status=200 duration_ms={d} "
        "user=u{u}\n"
    ),
    "{ts} DEBUG cache hit key=items:{n} ttl=300\n",
    "{ts} INFO  worker-{u} picked job {n} from queue default (attempt 1)\n",
    (
        '{{"timestamp": "{ts}", "severity": "INFO", "logger": "app.orders", "message": "order {n} saved", '
        '"duration_ms": {d}}}\n'
    ),
    "{ts} WARN  slow query took {d}0 ms: SELECT * FROM items WHERE id = {n}\n",
    "{ts} ERROR db connection reset by peer, retrying (pool=main, attempt 2)\n",
    (
        '{{"timestamp": "{ts}", "severity": "ERROR", "message": "payment provider returned 503 Service '
        'Unavailable", "order": {n}}}\n'
    ),
)
GOOGLE_OK = (  # one line in 50: calls to Google that succeeded
    (
        "{ts} INFO  httpx HTTP Request: POST "
        'https://generativelanguage.googleapis.com/v1beta/models/{model}:generateContent "HTTP/1.1 200 OK"\n'
    ),
    (
        "{ts} INFO  POST https://us-central1-aiplatform.googleapis.com/v1/projects/acme-prod"
        "/locations/us-central1/publishers/google/models/{model}:generateContent status=200 duration_ms={d}\n"
    ),
    (
        '{{"timestamp": "{ts}", "severity": "INFO", "message": "gemini call ok", "url": '
        '"https://generativelanguage.googleapis.com/v1beta/models/{model}:streamGenerateContent", "status": '
        '200, "tokens": {d}}}\n'
    ),
    (
        "{ts} DEBUG google_genai.models usage for {model}: prompt_tokens={d} candidates_tokens={u} "
        "total_tokens={n}\n"
    ),
)
DISABLED = (
    "Generative Language API has not been used in project 580640415319 before or it is disabled. Enable it "
    "by visiting https://console.developers.google.com/apis/api/generativelanguage.googleapis.com/overview"
    "?project=580640415319 then retry. If you enabled this API recently, wait a few minutes for the action "
    "to propagate to our systems and retry."
)
NOT_HERE = (
    '{{"error": {{"code": 404, "message": "Publisher Model '
    "`projects/acme-prod/locations/europe-west1/publishers/google/models/{model}` was not found or your "
    'project does not have access to it. Please ensure you are using a valid model version.", "status": '
    '"NOT_FOUND"}}}}'
)
ERRORS = {  # format -> template
    "json body": (
        '{ts} ERROR vertex call failed: {{"error": {{"code": 403, "message": "Permission '
        "'aiplatform.endpoints.predict' denied on resource "
        "'//aiplatform.googleapis.com/projects/acme-prod/locations/us-central1"
        "/publishers/google/models/{model}' "
        '(or it may not exist).", "status": "PERMISSION_DENIED", "details": [{{"@type": '
        '"type.googleapis.com/google.rpc.ErrorInfo", "reason": "IAM_PERMISSION_DENIED", "domain": '
        '"aiplatform.googleapis.com", "metadata": {{"permission": '
        '"aiplatform.endpoints.predict"}}}}]}}}}\n'
    ),
    "python repr": (
        "{ts} ERROR google.genai.errors.ClientError: 400 INVALID_ARGUMENT. {{'error': {{'code': 400, "
        "'message': 'API key not valid. Please pass a valid API key.', 'status': 'INVALID_ARGUMENT', "
        "'details': [{{'@type': 'type.googleapis.com/google.rpc.ErrorInfo', 'reason': "
        "'API_KEY_INVALID', 'domain': 'googleapis.com', 'metadata': {{'service': "
        "'generativelanguage.googleapis.com'}}}}]}}}}\n"
    ),
    "pretty body": (
        '{ts} ERROR upstream said: {{\n  "error": {{\n    "code": 429,\n    "message": "You exceeded '
        "your current quota, please check your plan and billing details. * Quota exceeded for metric: "
        "generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: "
        '{model}",\n    "status": "RESOURCE_EXHAUSTED"\n  }}\n}}\n'
    ),
    "grpc text": "{ts} ERROR google.api_core.exceptions.PermissionDenied: 403 "
    + DISABLED
    + (
        ' [reason: "SERVICE_DISABLED"\ndomain: "googleapis.com"\nmetadata {{\n  key: "service"\n  '
        'value: "generativelanguage.googleapis.com"\n}}\n]\n'
    ),
    "oauth": (
        "{ts} ERROR google.auth.exceptions.RefreshError: ('invalid_grant: Token has been expired or "
        "revoked.', {{'error': 'invalid_grant', 'error_description': 'Token has been expired or "
        "revoked.'}})\n"
    ),
    "sdk message": (
        "{ts} ERROR 404 models/{model} is not found for API version v1beta, or is not supported for "
        "generateContent. Call ListModels to see the list of available models and their supported "
        "methods.\n"
    ),
    "message alone": "{ts} ERROR chat request failed: User location is not supported for the API use.\n",
    "cut short": '{ts} ERROR gemini call failed: {{"error": {{"code": 403, "message": "'
    + DISABLED[:112]
    + "\n",
    "escaped in json": None,  # built by _escaped
    "escaped, cut short": None,
}


def _escaped(fmt: str, ts: str, model: str) -> str:
    if fmt == "escaped in json":
        message = "gemini call failed: " + NOT_HERE.format(model=model)
    else:  # the logger cut the message; the log line itself stays valid JSON
        message = 'gemini call failed: {"error":{"code":403,"message":"' + DISABLED[:112]
    return json.dumps({"timestamp": ts, "severity": "ERROR", "logger": "app.llm", "message": message}) + "\n"


def write_log(path: str, megabytes: int, every: int) -> dict[str, int]:
    """Write the log; return how many errors of each format were planted."""
    planted = dict.fromkeys(ERRORS, 0)
    formats = list(ERRORS)
    n, size, target = 0, 0, megabytes * 1_000_000
    with open(path, "w") as out:
        while size < target:
            lines = []
            for _ in range(5000):
                n += 1
                clock = f"{(n // 3600000) % 24:02d}:{(n // 60000) % 60:02d}:{(n // 1000) % 60:02d}"
                ts = f"2026-11-30T{clock}.{n % 1000:03d}Z"
                values = {"ts": ts, "n": n, "d": n % 997, "u": n % 1000, "model": MODELS[n % len(MODELS)]}
                if n % every == 0:
                    fmt = formats[(n // every) % len(formats)]
                    planted[fmt] += 1
                    template = ERRORS[fmt]
                    lines.append(
                        template.format(**values) if template else _escaped(fmt, ts, values["model"])
                    )
                elif n % 50 == 0:
                    lines.append(GOOGLE_OK[(n // 50) % len(GOOGLE_OK)].format(**values))
                else:
                    lines.append(NORMAL[n % len(NORMAL)].format(**values))
            chunk = "".join(lines)
            out.write(chunk)
            size += len(chunk)
    return planted


def _found_per_format() -> dict[str, int]:
    """How many of one sample of each format scan finds on its own (each must be 1)."""
    from gemini_doctor.scan import Scanner

    found = {}
    for n, fmt in enumerate(ERRORS):
        template, ts, model = ERRORS[fmt], "2026-11-30T10:00:00.000Z", MODELS[n % len(MODELS)]
        scanner = Scanner()
        scanner.feed((template.format(ts=ts, model=model) if template else _escaped(fmt, ts, model)).encode())
        scanner.finish()
        found[fmt] = scanner.errors
    return found


def _timed(argv: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system), peak RSS (MB) and stdout of one child process."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out)
        _, _, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = 0
        out.seek(0)
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read().decode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--every", type=int, default=2000, help="one error per this many lines")
    parser.add_argument("--pairs", type=int, default=3, help="runs of scan and grep -c, in turn")
    args = parser.parse_args()
    scan = [sys.executable, "-m", "gemini_doctor", "scan", "--format", "json"]
    with tempfile.TemporaryDirectory() as tmp:
        small, log = os.path.join(tmp, "small.log"), os.path.join(tmp, "app.log")
        write_log(small, max(1, args.mb // 4), args.every)
        planted = write_log(log, args.mb, args.every)
        _, _, small_rss, _ = _timed([*scan, small])
        pairs, cpu_pairs = [], []  # (scan, grep -c) run in turn: the ratio is taken pair by pair
        for _ in range(args.pairs):
            grep_wall, grep_cpu, _, grep_out = _timed(["grep", "-c", "googleapis.com", log])
            wall, cpu, rss, out = _timed([*scan, log])
            pairs.append((wall, grep_wall))
            cpu_pairs.append((cpu, grep_cpu))
    report = json.loads(out)
    ratio = statistics.median(w / g for w, g in pairs)
    wall, grep_wall = statistics.median(w for w, _ in pairs), statistics.median(g for _, g in pairs)
    mb = report["bytes"] / 1e6
    total = sum(planted.values())
    print(
        f"log                : {mb:,.0f} MB, {report['lines']:,} lines, {int(grep_out):,} naming "
        f"googleapis.com, {total} errors planted in {len(planted)} formats"
    )
    print(
        f"found / planted    : {report['errors']} / {total}  ("
        + ", ".join(f"{g['cause']} x{g['count']}" for g in report["groups"])
        + ")"
    )
    alone = _found_per_format()
    print(
        "each format alone  : "
        + ", ".join(f"{fmt} {'found' if alone[fmt] == 1 else 'MISSED'}" for fmt in ERRORS)
    )
    print(
        f"scan               : {wall:.2f} s wall, {mb / wall:,.0f} MB/s for the whole command "
        f"({mb / report['seconds']:,.0f} MB/s scanning, start-up excluded)"
    )
    print(
        f"grep -c            : {grep_wall:.2f} s wall ({mb / grep_wall:,.0f} MB/s); scan / grep -c = "
        f"{ratio:.1f}x (median of {len(pairs)} pairs, "
        f"{min(w / g for w, g in pairs):.1f}-{max(w / g for w, g in pairs):.1f}x; target <= 8x)"
    )
    print(
        f"peak memory (RSS)  : {rss:,.0f} MB at {mb:,.0f} MB of log, {small_rss:,.0f} MB at a quarter of it"
    )
    cpu_ratios = [c / g for c, g in cpu_pairs]
    print(
        f"cpu (user + sys)   : scan / grep -c = {statistics.median(cpu_ratios):.1f}x "
        f"({min(cpu_ratios):.1f}-{max(cpu_ratios):.1f}x; less moved than wall time by a busy machine)"
    )


if __name__ == "__main__":
    main()
