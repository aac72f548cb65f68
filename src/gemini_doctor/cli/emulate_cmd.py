"""``gemini-doctor emulate``: serve a world or a built-in scenario on loopback until stopped."""

from __future__ import annotations

import sys

import click


@click.command()
@click.option("--world", "world_file", type=click.Path(dir_okay=False), help="A world file (YAML or JSON).")
@click.option("--scenario", help="A built-in scenario: a cause ID, or healthy.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=0, show_default=True, help="0 picks a free port.")
@click.option("--latency-ms", type=click.IntRange(0, 60_000), help="Added to every response.")
@click.option("--write-credentials", "credentials_dir", type=click.Path(file_okay=False),
              help="Write key files, ADC files and env.sh for the world's principals into this folder.")
@click.option("--list-scenarios", is_flag=True, help="List the built-in scenarios and exit.")
def emulate(world_file: str | None, scenario: str | None, host: str, port: int, latency_ms: int | None,
            credentials_dir: str | None, list_scenarios: bool) -> None:
    """Serve Google's Gemini endpoints, answering from a world, so apps can be tested against real errors."""
    from ..emulator.scenarios import scenario_names, scenario_world
    from ..emulator.world import WorldError, load_world

    if list_scenarios:
        click.echo("\n".join(scenario_names()))
        return
    if world_file and scenario:
        raise click.UsageError("give --world or --scenario, not both")
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
