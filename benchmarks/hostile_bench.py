"""explain on hostile inputs: the worst case over shapes aimed at the patterns, at 1 MiB each.

Run: python benchmarks/hostile_bench.py [--size 1048576] [--limit 60] [--only NAME]
Each shape runs in a fresh process (killed after --limit seconds: a blow-up shows as "> limit").
Prints seconds per shape and its ratio to 1 MiB of plain prose explained in the same run; the
target is every shape under 2 s. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

PROSE = "The quick brown fox jumps over the lazy dog while the service answers slowly today. "


def _fill(unit: str, size: int, head: str = "", tail: str = "") -> str:
    body = unit * max(1, (size - len(head) - len(tail)) // max(1, len(unit)))
    return head + body + tail


def shapes(size: int) -> dict[str, str]:
    """Name -> text. Each aims at a kind of super-linear matching: a quantified run followed by
    something that fails at its end, tried again from every position of the run."""
    return {
        "plain prose (baseline)": _fill(PROSE, size),
        "api-core message + spaces": _fill(" ", size, "\n403 Abcdefgh", "x"),
        "api-core message, many lines": _fill("\n403 Abcdefgh" + " " * 64, size),
        "spaces after a reason": _fill(" ", size, 'reason": ', "x"),
        "letters in a title": _fill("A", size, "has not been used in project ", "x"),
        "capital words": _fill("Api ", size, "has not been used in project x "),
        "domain run": _fill("a.", size, "https://", "x"),
        "hyphen run in a host": _fill("a-", size, "https://", "googleapis.com"),
        "projects run": _fill("projects/a", size, "", "/x"),
        "models run": _fill("models/", size),
        "unclosed JSON message": _fill("a\\\\", size, '{"error": {"message": "', ""),
        "unclosed escapes": _fill("\\", size, '"message": "abcdefgh'),
        "unclosed repr string": _fill("\\'", size, "{'error': {'message': '"),
        "repr message restarts": _fill("'message': '\\", size),
        "newline runs": _fill("\n", size, "", "x"),
        "message lines": _fill("\n  message: ", size),
        "domain value run": _fill("a.", size, 'domain": "', "1"),
        "cached contents run": _fill("cachedContents/", size),
        "title before the phrase": _fill(
            "Abc ", size // 2, "", " has not been used in project x" + "A" * (size // 2)
        ),
        "nested literal starts": _fill("{", size, "", "'"),
        "nested literal starts, spaced": _fill("{ [ (", size),
        "nested JSON starts": _fill('{"error":', size),
        "repr openings": _fill("{'", size),
        "status words": _fill("PERMISSION_DENIED ", size),
        "digits": _fill("4", size),
        "code runs": _fill("code", size, "", "x"),
        "code spaces": _fill(" ", size, "HTTP", "x"),
        "quoted keys": _fill('"consumer": "', size),
        "proto metadata": _fill('key: "consumer" value: "', size),
        "long word": _fill("x", size),
        "secret-like run": _fill("ya29.", size),
        "key-like run": _fill("AIza", size),
        "key= runs": _fill("?key=", size),
        "fake private key header (no key)": _fill("-----BEGIN PRIVATE KEY-----", size),
        "lines of 403": _fill("403\n", size),
        "quota project run": _fill("quota project a", size),
        "permission run": _fill("Permission 'a.", size),
    }


_CHILD = r"""
import sys, time
from gemini_doctor import explain
text = sys.stdin.read()
start = time.perf_counter()
explain(text).to_dict()
print(time.perf_counter() - start)
"""


def timed(text: str, limit: float) -> float | None:
    """Seconds explain took on *text* in a fresh process; None past *limit*."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD],
            input=text.encode(),
            capture_output=True,
            timeout=limit,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return float(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1 << 20)
    parser.add_argument("--limit", type=float, default=60)
    parser.add_argument("--only", help="run only shapes whose name contains this")
    args = parser.parse_args()
    texts = shapes(args.size)
    baseline = timed(texts["plain prose (baseline)"], args.limit)
    print(f"{'shape':34} {'seconds':>8} {'x prose':>8}   (1 MiB each; prose: {baseline:.3f} s)")
    worst = ("", 0.0)
    started = time.perf_counter()
    for name, text in texts.items():
        if args.only and args.only not in name:
            continue
        seconds = timed(text, args.limit)
        shown = f"> {args.limit:g}" if seconds is None else f"{seconds:.3f}"
        ratio = "-" if seconds is None else f"{seconds / baseline:.1f}"
        print(f"{name:34} {shown:>8} {ratio:>8}", flush=True)
        value = args.limit if seconds is None else seconds
        if value > worst[1]:
            worst = (name, value)
    print(
        f"worst: {worst[0]} at {worst[1]:.3f} s ({worst[1] / baseline:.1f}x prose); all shapes in "
        f"{time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
