"""``gemini-doctor demo``: the product end to end on the embedded emulator; needs no account or network."""

from __future__ import annotations

import sys

import click


@click.command(epilog="""\b
Examples:
  gemini-doctor demo                         # the short tour
  gemini-doctor demo google_incident wrong_surface
  gemini-doctor demo --list

\b
Exit codes:
  0  every verdict matched the world (the demo doubles as a self-test)
  1  some verdict did not match
  2  an unknown scenario
""")
@click.argument("scenarios", nargs=-1)
@click.option("--list", "list_only", is_flag=True, help="List the scenarios and exit.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
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
    if fmt == "text":
        click.echo(f"gemini-doctor demo: {len(names)} scenario(s) against a local emulator of Google's APIs (no account, no network)\n")
    results = run_tour(names, (lambda n, r: _print(n, len(names), r)) if fmt == "text" else None)
    matched = all(r["matched"] for r in results)
    if fmt == "json":
        from ..render import to_json_line

        sys.stdout.write(to_json_line({"matched": matched, "scenarios": results}) + "\n")
    else:
        click.echo(f"{sum(r['matched'] for r in results)}/{len(results)} verdicts matched the world. "
                   "Now check your own setup (read-only): gemini-doctor check")
    sys.exit(0 if matched else 1)


def _print(n: int, total: int, r: dict) -> None:
    from ..redact import redact

    if "error" in r:
        click.echo(redact(f"── {n}/{total} {r['scenario']}: could not run: {r['error']}") + "\n")
        return
    ex, ch = r["explain"], r["check"]
    mark = "✓" if r["matched"] else "✗"
    lines = [f"── {n}/{total} {r['scenario']} ({r['seconds']} s)",
             f"   The world held:   {r['world']}",
             f"   Your app called:  {r['call']}",
             f"   Google answered:  {r['raw_error'][:300] or '(success)'}",
             f"   explain (offline): {ex['top']} {_pct(ex['confidence'])}" + ("" if ex["settled"] is not False else " (not settled by the text alone)"),
             f"   check (live):      {ch['top'] or 'healthy'} {_pct(ch['confidence'])}, {ch['requests']} requests in {ch['elapsed_ms']} ms  {mark}"]
    if ch["fix"]:
        lines.append(f"   Fix:              {ch['fix']}")
    click.echo(redact("\n".join(lines)) + "\n")


def _pct(value: float | None) -> str:
    return f"{round(value * 100)}%" if value is not None else ""
