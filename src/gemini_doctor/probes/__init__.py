"""Live probes: discover the user's real credentials, then ask Google's own APIs, concurrently."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from .discovery import Setup, discover
from .plan import plan
from .runner import Context, Outcome, run_probes
from .transport import GoogleHttp

DEFAULT_TIMEOUT = 10.0


def run_check(setup: Setup, endpoint: str | None = None, timeout: float = DEFAULT_TIMEOUT,
              on_done: Callable[[str, Outcome], None] | None = None, log: Callable[[str], None] | None = None):
    """Run every probe the setup needs and return the verdict (a CheckResult); *log* gets a line per HTTP exchange."""
    from ..engine.verdict import verdict

    probes = plan(setup)
    start = time.perf_counter()

    async def go() -> tuple[dict[str, Outcome], int]:
        http = GoogleHttp(endpoint, timeout, log)
        try:
            outcomes = await run_probes(probes, Context(setup, http), timeout, on_done)
        finally:
            await http.aclose()
        return outcomes, http.requests

    outcomes, requests = asyncio.run(go())
    elapsed = round((time.perf_counter() - start) * 1000)
    return verdict(setup, outcomes, requests, elapsed, {p.id: p.title for p in probes})


__all__ = ["DEFAULT_TIMEOUT", "Setup", "discover", "run_check"]
