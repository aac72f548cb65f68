"""Run `check` against a running emulator the way a user's shell would: env.sh, and nothing else."""

from __future__ import annotations

from gemini_doctor.check import discover, run_check
from gemini_doctor.emulator.clients import shell_env


def user_env(emu, home) -> dict[str, str]:
    return shell_env(emu.credentials["env"], home)


CHECK_TIMEOUT = 5.0  # check's --timeout in tests: ample for every probe on a busy machine
FAULT_KINDS = ["timeout", "http_500", "http_503", "reset"]  # how a world's `faults` make Google fail


def timeout_for(fault: str) -> float:
    """check's --timeout where Google fails with *fault*: 1 s where the call hangs (the test waits for it),
    the ample default where Google answers at once."""
    return 1.0 if fault == "timeout" else CHECK_TIMEOUT


def check(emu, home, timeout: float = CHECK_TIMEOUT, **flags):
    """The CheckResult for the scenario's client: its model and location, every call to the emulator.
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
    return run_check(setup, emu.url, timeout)
