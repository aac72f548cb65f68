"""``gemini-doctor emulate``: serve a world or a built-in scenario on loopback until stopped."""

from __future__ import annotations

import sys

import click


class _ScenarioChoice(click.Choice):
    """The built-in scenarios as a choice (validated, completed in the shell), listed only when needed."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> list[str]:
        from ..emulator.scenarios import scenario_names

        return scenario_names()

    @choices.setter
    def choices(self, value) -> None:
        pass  # always the built-in list


_EXAMPLES = """\b
Examples:
  gemini-doctor emulate --scenario service_disabled --write-credentials ./emu
  gemini-doctor emulate --world my-world.yaml --port 8080
  gemini-doctor emulate --list-scenarios

\b
Without --world or --scenario it serves the built-in `healthy` world (every call succeeds) and says so \
on stderr.
The first line on stdout is always `listening on http://HOST:PORT`.

\b
Exit codes:
  0  stopped cleanly (Ctrl-C or SIGTERM)
  2  usage error, a world that does not load, or a port it cannot serve on
"""


@click.command(epilog=_EXAMPLES)
@click.option("--world", "world_file", type=click.Path(dir_okay=False), help="A world file (YAML or JSON).")
@click.option(
    "--scenario",
    type=_ScenarioChoice(),
    metavar="SCENARIO",
    help="A built-in world in which exactly one cause holds (a cause ID), or healthy; see --list-scenarios.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=0, show_default=True, help="0 picks a free port.")
@click.option("--latency-ms", type=click.IntRange(0, 60_000), help="Added to every response.")
@click.option(
    "--write-credentials",
    "credentials_dir",
    type=click.Path(file_okay=False),
    help="Write key files, ADC files and env.sh for the world's principals into this folder.",
)
@click.option("--list-scenarios", is_flag=True, help="List the built-in scenarios and exit.")
def emulate(
    world_file: str | None,
    scenario: str | None,
    host: str,
    port: int,
    latency_ms: int | None,
    credentials_dir: str | None,
    list_scenarios: bool,
) -> None:
    """Serve Google's Gemini endpoints, answering from a world, so apps can be tested against real errors."""
    from ..emulator.backends import load_world
    from ..emulator.scenarios import scenario_names, scenario_world
    from ..emulator.world import WorldError

    if list_scenarios:
        click.echo("\n".join(scenario_names()))
        return
    if world_file and scenario:
        raise click.UsageError("give --world or --scenario, not both")
    if not world_file and not scenario:
        click.echo(
            "gemini-doctor: no --world or --scenario given: serving the built-in `healthy` world, where "
            "every call succeeds (for a failure: --scenario CAUSE_ID, see --list-scenarios)",
            err=True,
        )
    try:
        world = load_world(world_file or scenario_world(scenario or "healthy"))
    except (WorldError, KeyError) as exc:
        click.echo(f"gemini-doctor: {exc.args[0] if isinstance(exc, KeyError) else exc}", err=True)
        sys.exit(2)
    if latency_ms is not None:
        world.latency_ms = latency_ms
    from pathlib import Path

    from ..emulator.server import serve_forever
    from ..safefiles import FileRefused

    def announce(url: str) -> None:
        click.echo(f"listening on {url}")
        if credentials_dir:
            click.echo(f"credentials in {credentials_dir} (source {Path(credentials_dir) / 'env.sh'})")
        sys.stdout.flush()

    try:
        serve_forever(world, host, port, Path(credentials_dir) if credentials_dir else None, announce)
    except FileRefused as exc:
        click.echo(f"gemini-doctor: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"gemini-doctor: cannot serve on {host}:{port}: {exc.strerror or exc}", err=True)
        sys.exit(2)
