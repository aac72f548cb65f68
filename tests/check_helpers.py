"""Run `check` against a running emulator the way a user's shell would: env.sh, and nothing else."""

from __future__ import annotations

import shlex

from gemini_doctor.probes import discover, run_check


def user_env(emu, home) -> dict[str, str]:
    """The environment after `source env.sh`, isolated from this machine's own gcloud and metadata server."""
    env = {"HOME": str(home), "CLOUDSDK_CONFIG": str(home / "gcloud"), "NO_GCE_CHECK": "true", "PATH": "/usr/bin:/bin"}
    for line in emu.credentials["env"].read_text().splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = shlex.split(value)[0]
    return env


def check(emu, home, timeout: float = 5.0, **flags):
    """The CheckResult for the scenario's client: its model and location, every call to the emulator."""
    env = user_env(emu, home)
    setup = discover(env, flags.pop("surface", "auto"), model=emu.model, location=emu.client.get("location"),
                     endpoint=emu.url, **flags)
    return run_check(setup, emu.url, timeout)
