"""``gemini-doctor demo``: the product end to end on the embedded emulator; needs no account or network."""

from __future__ import annotations

import sys

import click

from ..render import FORMATS


@click.command(
    epilog="""\b
Examples:
  gemini-doctor demo                         # the short tour
  gemini-doctor demo google_incident wrong_surface
  gemini-doctor demo --list

\b
Exit codes:
  0  every verdict matched the world (the demo doubles as a self-test)
  1  some verdict did not match
  2  an unknown scenario
"""
)
@click.argument("scenarios", nargs=-1)
@click.option("--list", "list_only", is_flag=True, help="List the scenarios and exit.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def demo(scenarios: tuple[str, ...], list_only: bool, fmt: str) -> None:
    """Show the whole tool working against Google's errors, offline. Exits 0 only if every verdict matched."""
    from ..demo import TOUR, run_tour
    from ..emulator.scenarios import NOTES, scenario_names

    if list_only:
        for name in scenario_names():
            click.echo(f"{name:28} {NOTES.get(name, '')}" + ("  (in the tour)" if name in TOUR else ""))
        return
    unknown = [s for s in scenarios if s not in scenario_names()]
    if unknown:
        click.echo(f"gemini-doctor: unknown scenario {unknown[0]!r}; see gemini-doctor demo --list", err=True)
        sys.exit(2)
    names = list(scenarios) or TOUR
    if fmt == "text":  # each scenario as soon as it has run, even when piped (the tour takes seconds)
        from ..render.demo import demo_head, demo_tail, scenario_lines
        from ..render.terminal import print_lines

        def show(lines) -> None:
            print_lines(lines, sys.stdout)
            sys.stdout.flush()

        show(demo_head(len(names)))
        results = run_tour(names, lambda n, r: show(scenario_lines(n, len(names), r)))
        show(demo_tail(results))
    else:
        from ..render import render

        results = run_tour(names)
        render(
            {"matched": all(r["matched"] for r in results), "scenarios": results},
            fmt,
            sys.stdout,
            view="demo",
        )
    sys.exit(0 if all(r["matched"] for r in results) else 1)
