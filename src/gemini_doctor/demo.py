"""`gemini-doctor demo`: the whole product on a fresh machine, against the embedded emulator.

For each scenario: the call a user's app makes, the raw error it gets, `explain` on that text and
`check` on that world, beside what the world really held. The tour doubles as a self-test.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

TOUR = [
    "service_disabled",
    "api_key_api_restricted",
    "iam_permission_missing",
    "model_not_in_region",
    "google_incident",
]
RAW_LIMIT = 400


def run_scenario(name: str, home: Path) -> dict:
    """Run one scenario end to end; return its report (the demo's JSON form)."""
    from .api import error_text, explain
    from .check import discover, run_check
    from .emulator.backends import load_world
    from .emulator.clients import call, describe, shell_env
    from .emulator.scenarios import NOTES, scenario_cause, scenario_world
    from .emulator.server import BackgroundServer

    world = scenario_world(name)
    client = world["client"]
    start = time.perf_counter()
    with BackgroundServer(load_world(world)) as server:
        credentials = server.write_credentials(home / name)
        env = shell_env(credentials["env"], home)
        with sealed_environment(env):
            raw, full = _failing_call(call, client, credentials, server.url, error_text)
            setup = discover(
                env, model=client.get("model"), location=client.get("location"), endpoint=server.url
            )
            checked = run_check(setup, server.url, timeout=5.0).to_dict()
        explained = explain(full).to_dict() if full else None
    explain_ids = [c["id"] for c in explained["causes"]] if explained else []
    check_top = checked["causes"][0] if checked["causes"] else None
    cause = scenario_cause(name)
    matched = (check_top["id"] if check_top else "healthy") == cause and (
        cause == "healthy" or cause in explain_ids[:3]
    )
    return {
        "scenario": name,
        "world": NOTES.get(name, ""),
        "call": describe(client),
        "raw_error": (raw or "")[:RAW_LIMIT],
        "explain": {
            "top": explain_ids[0] if explain_ids else None,
            "confidence": explained["causes"][0]["confidence"] if explained else None,
            "settled": explained["settled"] if explained else None,
        },
        "check": {
            "healthy": checked["healthy"],
            "top": check_top["id"] if check_top else None,
            "confidence": check_top["confidence"] if check_top else None,
            "requests": checked["requests"],
            "elapsed_ms": checked["elapsed_ms"],
            "fix": next((s["command"] for s in check_top["fix"] if "command" in s), None)
            if check_top
            else None,
        },
        "matched": matched,
        "seconds": round(time.perf_counter() - start, 2),
        "url": server.url,
    }


@contextmanager
def sealed_environment(env: dict[str, str]) -> Iterator[None]:
    """While inside, the process environment is *env* alone: the SDKs read ``os.environ``
    (GOOGLE_GENAI_USE_VERTEXAI, GEMINI_API_KEY, GOOGLE_APPLICATION_CREDENTIALS, proxies...), and a self-test
    must not inherit the user's."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _failing_call(
    call, client: dict, credentials: dict, url: str, error_text
) -> tuple[str | None, str | None]:
    """What the user sees (a traceback's last line, or the HTTP answer) and the full text for explain."""
    try:
        response = call(client, credentials, url)
    except Exception as exc:  # noqa: BLE001 - the error the user's app would see is the point
        return f"{type(exc).__name__}: {exc}", error_text(exc)
    if getattr(response, "status_code", 200) >= 400:
        text = f"HTTP {response.status_code}: {response.text}"
        return text, text
    return None, None


def run_tour(names: list[str], on_result: Callable[[int, dict], None] | None = None) -> list[dict]:
    """Run scenarios in order, reporting each as soon as it is done."""
    results = []
    with tempfile.TemporaryDirectory(prefix="gemini-doctor-demo-") as tmp:
        for n, name in enumerate(names, 1):
            try:
                results.append(run_scenario(name, Path(tmp)))
            except Exception as exc:  # noqa: BLE001 - a broken scenario is a failed self-test, not a crash
                results.append({"scenario": name, "matched": False, "error": f"{type(exc).__name__}: {exc}"})
            if on_result:
                on_result(n, results[-1])
    return results
