"""Live probes: discover the user's real credentials, then ask Google's own APIs, concurrently."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .discovery import Setup, discover

if TYPE_CHECKING:
    from .runner import Outcome

DEFAULT_TIMEOUT = 10.0


def run_check(setup: Setup, endpoint: str | None = None, timeout: float = DEFAULT_TIMEOUT,
              on_done: Callable[[str, Outcome], None] | None = None, log: Callable[[str], None] | None = None,
              purpose: str = "call"):
    """Run every probe the setup needs and return the verdict (a CheckResult); *log* gets a line per HTTP exchange.
    *purpose* is what is checked: ``call`` (the app's Gemini call) or ``key-creation`` (:mod:`.key_creation`).

    The token request leaves first, before the probes' HTTP client and the verdict engine are even imported;
    the verdict engine is imported while the probes wait for Google."""
    import threading

    from .auth import fetch_token

    start = time.perf_counter()
    token = admin_token = None
    if setup.credentials is not None and not setup.start_error:
        token = fetch_token(setup.credentials, trust_env=endpoint is None)
    if setup.admin is not None and not setup.start_error:
        admin_token = fetch_token(setup.admin.credentials, trust_env=endpoint is None)
    import asyncio

    from .runner import Context, run_probes
    from .transport import GoogleHttp

    probes = planned(setup, purpose)
    threading.Thread(target=_import_verdict, daemon=True).start()

    async def go() -> tuple[dict[str, Outcome], int]:
        http = GoogleHttp(endpoint, timeout, log)
        try:
            outcomes = await run_probes(probes, Context(setup, http, pending_token=token, pending_admin_token=admin_token), timeout, on_done)
        finally:
            await http.aclose()
        return outcomes, http.requests

    outcomes, requests = asyncio.run(go())
    elapsed = round((time.perf_counter() - start) * 1000)
    from ..engine.verdict import verdict

    return verdict(setup, outcomes, requests, elapsed, {p.id: p.title for p in probes}, purpose)


def planned(setup: Setup, purpose: str = "call") -> list:
    """The probes for *purpose* (see :func:`run_check`)."""
    if purpose == "call":
        from .plan import plan
    else:
        from .key_creation import plan
    return plan(setup)


def _import_verdict() -> None:
    """Import the verdict engine (catalogue, ranking) while the probes wait for Google."""
    from ..engine import verdict  # noqa: F401 - imported for its side effect: loaded before it is needed


__all__ = ["DEFAULT_TIMEOUT", "Setup", "discover", "run_check"]
