"""Run `check` against a running emulator the way a user's shell would: env.sh, and nothing else."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from unittest import mock

from gemini_doctor.check import discover, run_check
from gemini_doctor.emulator.clients import shell_env
from gemini_doctor.probes.transport import GoogleHttp


def user_env(emu, home) -> dict[str, str]:
    return shell_env(emu.credentials["env"], home)


CHECK_TIMEOUT = 5.0  # check's --timeout in tests: ample for every probe on a busy machine
FAULT_KINDS = ["timeout", "http_500", "http_503", "reset"]  # how a world's `faults` make Google fail
HUNG_CALL_WAIT = 0.2  # seconds a test waits for a call its world makes hang


@contextlib.contextmanager
def hanging(path_contains: str | None) -> Iterator[None]:
    """While inside, check's calls to a URL containing *path_contains* (the world's fault on it makes them
    hang; None: no call's) end after HUNG_CALL_WAIT s as a transport timeout, as if --timeout were that
    short for them alone: the test waits a moment for an answer that never comes, while every other call
    keeps the ample timeout (one short timeout for all would cut healthy calls short on a busy machine)."""
    if path_contains is None:
        yield
        return
    exchange = GoogleHttp._exchange

    async def hung_ones_end_soon(self, method, url, **request):
        if path_contains not in url:
            return await exchange(self, method, url, **request)
        async with asyncio.timeout(HUNG_CALL_WAIT):
            return await exchange(self, method, url, **request)

    with mock.patch.object(GoogleHttp, "_exchange", hung_ones_end_soon):
        yield


def check(emu, home, timeout: float = CHECK_TIMEOUT, hung: str | None = None, **flags):
    """The CheckResult for the scenario's client: its model and location, every call to the emulator
    (*hung*: the path of the calls the world makes hang, see :func:`hanging`).
    An app calling the Gemini API with OAuth uses its REST API (google-genai would not start): it says so."""
    rest = emu.client.get("surface") == "gemini-api" and not emu.api_key and emu.client.get("principal")
    setup = discover(
        user_env(emu, home),
        flags.pop("surface", "gemini-api" if rest else "auto"),
        model=emu.model,
        location=emu.client.get("location"),
        endpoint=emu.url,
        **flags,
    )
    with hanging(hung):
        return run_check(setup, emu.url, timeout)
