"""`check`, composed: discovery -> probes -> verdict (and, for `fix --apply`, remedies on that verdict).

The one place that joins the live probes (:mod:`.probes`) to the verdict (:mod:`.verdict`, which ranks with
the same engine and catalogue as explain), so neither imports the other's side. The token request leaves
first, before the probes' HTTP client and the verdict are even imported; the verdict is imported while the
probes wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .probes.discovery import Setup, discover

if TYPE_CHECKING:
    from .probes.runner import Outcome
    from .verdict import CheckResult

DEFAULT_TIMEOUT = 10.0


def run_check(
    setup: Setup,
    endpoint: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    on_done: Callable[[str, Outcome], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> CheckResult:
    """Run every probe the setup needs and return the verdict; *on_done* gets each probe's outcome as it
    finishes, *log* a line per HTTP exchange."""
    import threading

    from .probes.auth import fetch_token

    start = time.perf_counter()
    token = admin_token = None
    if setup.credentials is not None and not setup.start_error:
        token = fetch_token(setup.credentials, endpoint is None, timeout, setup.metadata)
    if setup.admin is not None and not setup.start_error:
        admin_token = fetch_token(setup.admin.credentials, endpoint is None, timeout, setup.metadata)
    import asyncio

    from .probes.registry import plan
    from .probes.runner import Context, run_probes
    from .probes.transport import GoogleHttp

    probes = plan(setup)
    threading.Thread(target=_import_verdict, daemon=True).start()

    async def go() -> tuple[dict[str, Outcome], int]:
        http = GoogleHttp(endpoint, timeout, log)
        try:
            outcomes = await run_probes(
                probes,
                Context(setup, http, pending_token=token, pending_admin_token=admin_token),
                timeout,
                on_done,
            )
        finally:
            await http.aclose()
        return outcomes, http.requests

    outcomes, requests = asyncio.run(go())
    elapsed = round((time.perf_counter() - start) * 1000)
    from .verdict import verdict

    return verdict(setup, outcomes, requests, elapsed, {p.id: p.title for p in probes})


def checklist(setup: Setup) -> dict[str, str]:
    """The checklist's titles for *setup*, by probe ID, in order (before any probe runs)."""
    from .probes.registry import plan

    return {probe.id: probe.title for probe in plan(setup)}


def _import_verdict() -> None:
    """Import the verdict (catalogue, ranking) while the probes wait for Google."""
    from . import verdict  # noqa: F401 - imported for its side effect: loaded before it is needed


__all__ = ["DEFAULT_TIMEOUT", "Setup", "checklist", "discover", "run_check"]
