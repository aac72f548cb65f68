"""`check`, composed: discovery -> probes -> verdict, and for `fix --apply` remedies on that verdict.

The one place that joins the live probes (:mod:`.probes`) to the verdict (:mod:`.verdict`, which ranks with
the same engine and catalogue as explain) and to the remedies (:mod:`.remedies`), so none imports another's
side, and the one place that opens the HTTP client they talk to Google through. The token request leaves
first, before the probes' HTTP client and the verdict are even imported; the verdict is imported while the
probes wait.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from .probes.discovery import Setup, discover

if TYPE_CHECKING:
    from .probes.runner import Outcome
    from .probes.transport import GoogleHttp
    from .remedies import Remedy
    from .verdict import CheckResult

T = TypeVar("T")

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
    from .probes.registry import plan
    from .probes.runner import Context, run_probes

    probes = plan(setup)
    threading.Thread(target=_import_verdict, daemon=True).start()

    async def go(http: GoogleHttp) -> tuple[dict[str, Outcome], int]:
        context = Context(setup, http, pending_token=token, pending_admin_token=admin_token)
        return await run_probes(probes, context, timeout, on_done), http.requests

    outcomes, requests = _with_google(endpoint, timeout, go, log)
    elapsed = round((time.perf_counter() - start) * 1000)
    from .verdict import verdict

    return verdict(setup, outcomes, requests, elapsed, {p.id: p.title for p in probes})


def plan_fix(
    result: CheckResult, admin_token: str | None, endpoint: str | None, timeout: float
) -> tuple[list[Remedy], list[str]]:
    """The remedies for *result*'s verdict, and notes on what they leave to the printed steps (see
    :func:`.remedies.plan`); Google is read with *admin_token*, nothing is changed."""
    from .remedies import plan

    return _with_google(endpoint, timeout, lambda http: plan(result, admin_token, http))


def apply_fix(
    remedies: list[Remedy], admin_token: str | None, endpoint: str | None, timeout: float, applied: list
) -> None:
    """Apply *remedies* in order as *admin_token*, appending what each did to *applied* (see
    :func:`.remedies.apply_all`)."""
    from .remedies import apply_all

    _with_google(endpoint, timeout, lambda http: apply_all(remedies, http, admin_token, applied))


def _with_google(
    endpoint: str | None,
    timeout: float,
    work: Callable[[GoogleHttp], Awaitable[T]],
    log: Callable[[str], None] | None = None,
) -> T:
    """Run *work* with an HTTP client to Google (or *endpoint*), closed after."""
    import asyncio

    from .probes.transport import GoogleHttp

    async def run() -> T:
        http = GoogleHttp(endpoint, timeout, log)
        try:
            return await work(http)
        finally:
            await http.aclose()

    return asyncio.run(run())


def checklist(setup: Setup) -> dict[str, str]:
    """The checklist's titles for *setup*, by probe ID, in order (before any probe runs)."""
    from .probes.registry import plan

    return {probe.id: probe.title for probe in plan(setup)}


def _import_verdict() -> None:
    """Import the verdict (catalogue, ranking) while the probes wait for Google."""
    from . import verdict  # noqa: F401 - imported for its side effect: loaded before it is needed


__all__ = ["DEFAULT_TIMEOUT", "Setup", "apply_fix", "checklist", "discover", "plan_fix", "run_check"]
