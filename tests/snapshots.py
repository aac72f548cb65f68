"""Snapshots of the product's answers: every `explain` on the shared corpus and every built-in `check`.

A refactor must leave these byte-identical. When behaviour changes ON PURPOSE, regenerate them with

    python tests/snapshots.py --update
    (or: GEMINI_DOCTOR_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py)

and commit the new files under tests/data/ with the change, so the diff shows what changed.

``explain`` is recorded on each case of the shared corpus and of tests/data/cases/ as given, upper-cased, and
with its newlines folded to spaces; the snapshot keeps each case's text, so it runs where ../shared is absent
(a git worktree), and regenerating there re-uses those texts; ``check`` on each built-in scenario, run as
`check`'s own tests run it (the app's earlier calls first). What varies from run to run (timings, the
emulator's port, temporary paths) is replaced by a fixed placeholder before writing.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from conftest import load_corpus  # noqa: E402 - tests/ must be on sys.path first when run as a script

DATA = TESTS / "data"
EXPLAIN_SNAPSHOT = DATA / "explain_snapshot.jsonl"
CHECK_SNAPSHOT = DATA / "check_snapshot.jsonl"
CASES = DATA / "cases"
UPDATE_ENV = "GEMINI_DOCTOR_UPDATE_SNAPSHOTS"
UPDATE_COMMAND = "python tests/snapshots.py --update"

_VARIANTS = {
    "as_given": lambda t: t,
    "upper": str.upper,
    "folded": lambda t: t.replace("\r\n", " ").replace("\n", " "),
}
_TIMINGS = re.compile(r'"(elapsed_ms|duration_ms)": \d+')
_LOOPBACK = re.compile(r"http://127\.0\.0\.1:\d+")


def _line(value: dict) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=True)


def corpus_texts() -> dict[str, str]:
    """Case id -> error text: the shared corpus (else its texts kept in the snapshot), then the
    repository's own cases (tests/data/cases/, as ``cases/<id>``)."""
    shared = {case["id"]: case["error_text"] for case in load_corpus()}
    if not shared and EXPLAIN_SNAPSHOT.exists():
        lines = [json.loads(line) for line in EXPLAIN_SNAPSHOT.read_text(encoding="utf-8").splitlines()]
        shared = {
            line["case"]: line["input"]
            for line in lines
            if line["variant"] == "as_given" and not line["case"].startswith("cases/")
        }
    own = {
        f"cases/{case['id']}": case["error_text"]
        for path in sorted(CASES.glob("*.jsonl"))
        for case in (
            json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        )
    }
    return {**shared, **own}


def explain_snapshot() -> str:
    """One JSON line per corpus case and variant: the text explained and explain's JSON form."""
    from gemini_doctor import explain

    lines = []
    for case, text in corpus_texts().items():
        for variant, transform in _VARIANTS.items():
            given = transform(text)
            lines.append(
                _line({"case": case, "variant": variant, "input": given, "explain": explain(given).to_dict()})
            )
    return "".join(f"{line}\n" for line in lines)


def check_snapshot() -> str:
    """One JSON line per built-in scenario: check's JSON form and exit code, run-specific parts fixed."""
    from check_helpers import check
    from emulator_clients import call
    from gemini_doctor.emulator.backends import load_world
    from gemini_doctor.emulator.scenarios import scenario_names, scenario_world
    from gemini_doctor.emulator.server import BackgroundServer
    from gemini_doctor.emulator.testing import RunningEmulator

    lines = []
    with tempfile.TemporaryDirectory(prefix="gemini-doctor-snapshot-") as tmp:
        for name in scenario_names():
            home = Path(tmp) / name
            with BackgroundServer(load_world(scenario_world(name))) as server:
                emu = RunningEmulator(
                    server.url,
                    server,
                    dict(server.world.client),
                    server.write_credentials(home / "credentials"),
                )
                for _ in range(emu.client.get("calls", 1) - 1):  # the app's earlier calls (quota used up)
                    with contextlib.suppress(
                        Exception
                    ):  # they may fail or not: only the quota they use matters
                        call(emu)
                result = check(emu, home)
                text = _line({"scenario": name, "exit_code": result.exit_code, "check": result.to_dict()})
            text = _TIMINGS.sub(r'"\1": 0', text).replace(server.url, "http://127.0.0.1:PORT")
            lines.append(_LOOPBACK.sub("http://127.0.0.1:PORT", text.replace(tmp, "TMP")))
    return "".join(f"{line}\n" for line in lines)


SNAPSHOTS = {EXPLAIN_SNAPSHOT: explain_snapshot, CHECK_SNAPSHOT: check_snapshot}


def first_difference(expected: str, actual: str, limit: int = 3, context: int = 160) -> str:
    """The first few lines that differ, each around its first differing character, for a person to read."""
    old, new = expected.splitlines(), actual.splitlines()
    shown = []
    for n in range(max(len(old), len(new))):
        before = old[n] if n < len(old) else "<missing>"
        after = new[n] if n < len(new) else "<missing>"
        if before != after:
            at = next(
                (i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b),
                min(len(before), len(after)),
            )
            start = max(0, at - context)
            shown.append(
                f"line {n + 1} ({before[:80]}…), from character {start}:\n"
                f"  snapshot: …{before[start : at + context]}\n  now:      …{after[start : at + context]}"
            )
            if len(shown) == limit:
                break
    return "\n".join(shown)


def write(path: Path, text: str) -> None:
    DATA.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {path.relative_to(TESTS.parent)}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(
            f"usage: {UPDATE_COMMAND}   (rewrites {', '.join(p.name for p in SNAPSHOTS)} in tests/data/)"
        )
    for path, build in SNAPSHOTS.items():
        write(path, build())
