"""The ``demo`` view: for each scenario, what the world held, what the app got, and what explain and check
said.

The terminal shows each scenario as soon as it has run (:func:`demo_head`, :func:`scenario_lines`,
:func:`demo_tail`); :func:`demo_lines` is the same report at once.
"""

from __future__ import annotations

from .layout import Line, View, one_line
from .markdown import code_block, text

RAW_SHOWN = 300  # characters of Google's answer shown to people (the JSON form keeps more)


def demo_head(total: int) -> list[Line]:
    return [
        (
            "bold",
            (
                f"gemini-doctor demo: {total} scenario(s) against a local emulator of Google's APIs "
                "(no account, no network)"
            ),
        ),
        ("", ""),
    ]


def scenario_lines(n: int, total: int, r: dict) -> list[Line]:
    """One scenario's block (and the blank line after it); a scenario that could not run says why, on one
    line."""
    if "error" in r:
        return [("red", f"── {n}/{total} {r['scenario']}: could not run: {one_line(r['error'])}"), ("", "")]
    ex, ch = r["explain"], r["check"]
    mark = "✓" if r["matched"] else "✗"
    out: list[Line] = [
        ("bold cyan", f"── {n}/{total} {r['scenario']} ({r['seconds']} s)"),
        ("", f"   The world held:   {r['world']}"),
        ("", f"   Your app called:  {r['call']}"),
        ("dim", f"   Google answered:  {r['raw_error'][:RAW_SHOWN] or '(success)'}"),
        ("", f"   explain (offline): {ex['top']} {_pct(ex['confidence'])}" + _unsettled(ex)),
        (
            "green" if r["matched"] else "red",
            (
                f"   check (live):      {ch['top'] or 'healthy'} {_pct(ch['confidence'])}, {ch['requests']} "
                f"requests in {ch['elapsed_ms']} ms  {mark}"
            ),
        ),
    ]
    if ch["fix"]:
        out.append(("magenta", f"   Fix:              {ch['fix']}"))
    return out + [("", "")]


def demo_tail(results: list[dict]) -> list[Line]:
    return [
        (
            "bold",
            f"{sum(r['matched'] for r in results)}/{len(results)} verdicts matched the world. "
            "Now check your own setup (read-only): gemini-doctor check",
        )
    ]


def demo_lines(report: dict, **_: object) -> list[Line]:
    results = report["scenarios"]
    out = demo_head(len(results))
    for n, r in enumerate(results, 1):
        out += scenario_lines(n, len(results), r)
    return out + demo_tail(results)


def demo_markdown(report: dict, **_: object) -> str:
    """The tour for a ticket: one section per scenario, Google's answer quoted, check's fix in a fence."""
    results = report["scenarios"]
    out = [
        "## gemini-doctor demo",
        "",
        f"**{sum(r['matched'] for r in results)}/{len(results)} verdicts matched the world.**",
    ]
    for n, r in enumerate(results, 1):
        mark = "✓" if r["matched"] else "✗"
        if "error" in r:
            out += ["", f"### {n}. `{r['scenario']}` {mark}", "", f"Could not run: {text(r['error'])}"]
            continue
        ex, ch = r["explain"], r["check"]
        out += [
            "",
            f"### {n}. `{r['scenario']}` {mark}",
            "",
            f"- The world held: {text(r['world'])}",
            f"- Your app called: {text(r['call'])}",
            f"- Google answered: {text(r['raw_error'][:RAW_SHOWN] or '(success)')}",
            f"- explain (offline): `{ex['top']}` {_pct(ex['confidence'])}{_unsettled(ex)}",
            (
                f"- check (live): `{ch['top'] or 'healthy'}` {_pct(ch['confidence'])}, {ch['requests']} "
                f"requests in {ch['elapsed_ms']} ms"
            ),
        ]
        if ch["fix"]:
            out += ["", "Fix:", ""] + code_block(ch["fix"])
    return "\n".join(out) + "\n"


def _pct(value: float | None) -> str:
    return f"{round(value * 100)}%" if value is not None else ""


def _unsettled(explained: dict) -> str:
    return "" if explained["settled"] is not False else " (not settled by the text alone)"


VIEW = View(demo_lines, demo_markdown)
