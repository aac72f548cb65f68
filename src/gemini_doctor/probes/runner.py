"""Run probes as a dependency graph: each starts as soon as what it needs is done, all else in parallel.

A probe never raises: a timeout, a broken connection or a Google 5xx makes it "could_not_check",
which the verdict never reads as a fault in the user's setup.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..redact import redact
from .discovery import Setup
from .failures import describe_failure
from .transport import GoogleHttp, Reply, httpx

OK, FAIL, COULD_NOT_CHECK, SKIPPED = "ok", "fail", "could_not_check", "skipped"


@dataclass
class Outcome:
    status: str
    summary: str
    facts: dict[str, str] = field(default_factory=dict)
    error_text: str | None = None  # Google's error, as received, for the evidence parser
    result: object | None = None  # what the probe read, typed by the probe (a dataclass of its module)
    duration_ms: int = 0


@dataclass
class Context:
    setup: Setup
    http: GoogleHttp
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    pending_token: Future | None = None  # the token fetch run_check started before anything else
    token: str | None = None  # the access token, once the token probe has it
    pending_admin_token: Future | None = None  # the same fetch for --admin-credentials
    admin_token: str | None = None  # --admin-credentials' access token, once the admin_token probe has it
    started: datetime = field(default_factory=lambda: datetime.now(UTC))  # when the probes began

    @property
    def admin_probe_token(self) -> str | None:
        """What the read-only admin probes send: the admin credential's token if any, else the app's."""
        return self.admin_token or self.token

    def result(self, probe_id: str) -> object | None:
        """The typed result of *probe_id* (None when it has not run, or read nothing)."""
        outcome = self.outcomes.get(probe_id)
        return outcome.result if outcome else None


@dataclass(frozen=True)
class Probe:
    id: str
    title: str
    run: Callable[[Context], Awaitable[Outcome]]
    needs: tuple[str, ...] = ()  # probes that must succeed first
    after: tuple[str, ...] = ()  # probes whose outcome, whatever it is, this one reads


async def run_probes(
    probes: list[Probe], ctx: Context, timeout: float, on_done: Callable[[str, Outcome], None] | None = None
) -> dict[str, Outcome]:
    """Run *probes*; return every outcome by probe id (in the order given)."""
    tasks: dict[str, asyncio.Task] = {}

    async def one(probe: Probe) -> Outcome:
        for need in probe.needs + probe.after:
            if need in tasks:
                await tasks[need]
        missing = [n for n in probe.needs if ctx.outcomes.get(n, Outcome(SKIPPED, "")).status != OK]
        start = time.perf_counter()
        if missing:
            outcome = Outcome(SKIPPED, f"not run: needs {', '.join(missing)}")
        else:
            outcome = await _guarded(probe, ctx, timeout)
        outcome.duration_ms = round((time.perf_counter() - start) * 1000)
        outcome.summary = redact(outcome.summary)
        ctx.outcomes[probe.id] = outcome
        if on_done:
            on_done(probe.id, outcome)
        return outcome

    for probe in probes:
        tasks[probe.id] = asyncio.ensure_future(one(probe))
    await asyncio.gather(*tasks.values())
    return {p.id: ctx.outcomes[p.id] for p in probes}


async def _guarded(probe: Probe, ctx: Context, timeout: float) -> Outcome:
    try:
        return await asyncio.wait_for(probe.run(ctx), timeout)
    except TimeoutError:  # asyncio.wait_for's own timeout
        return Outcome(COULD_NOT_CHECK, f"could not check: Google did not answer within {timeout:g} s")
    except httpx.TransportError as exc:  # timeouts too: the host and the kind of failure, for people
        return Outcome(COULD_NOT_CHECK, describe_failure(exc, _host(exc), ctx.http.proxy, timeout))
    except Exception as exc:  # noqa: BLE001 - one broken probe must not sink the check
        return Outcome(COULD_NOT_CHECK, f"could not check: {type(exc).__name__}")


def _host(exc: httpx.TransportError) -> str | None:
    try:
        return exc.request.url.netloc.decode()
    except RuntimeError:  # an exception raised before it had a request
        return None


def admin_failure(reply: Reply, needs: str) -> Outcome:
    """An admin API refused or failed: never the user's fault, so "could not check"."""
    if reply.status >= 500:
        return Outcome(COULD_NOT_CHECK, f"could not check: Google answered {reply.status} (its side)")
    if reply.scope_refused:
        return Outcome(COULD_NOT_CHECK, "could not check: the token lacks the cloud-platform scope")
    if "SERVICE_DISABLED" in reply.reasons:
        return Outcome(
            COULD_NOT_CHECK,
            "could not check (API not enabled)" + _enable(reply.error_info("SERVICE_DISABLED")),
        )
    if reply.status in (401, 403):
        return Outcome(COULD_NOT_CHECK, f"could not check (needs {needs})")
    return Outcome(COULD_NOT_CHECK, f"could not check: HTTP {reply.status}")


def _enable(info: dict) -> str:
    """The command that turns on the API Google named as disabled, when its names are in Google's syntax."""
    from ..google.syntax import valid

    service, project = info.get("service"), str(info.get("consumer", "")).removeprefix("projects/")
    if not valid("service", service) or not valid("project", project):
        return ""
    return f": gcloud services enable {service} --project={project}"
