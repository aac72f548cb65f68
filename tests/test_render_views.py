"""One renderer for every command's output: each view in each format, and no control character or escape
sequence from an input reaching a terminal (the SDK hooks' note and the demo included)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from conftest import run_cli
from gemini_doctor import hooks
from gemini_doctor.api import explain
from gemini_doctor.render import FORMATS, VIEWS, render
from gemini_doctor.render.demo import demo_head, demo_tail, scenario_lines
from gemini_doctor.render.terminal import print_lines
from gemini_doctor.scan import Scanner

# what a hostile input carries: a screen clear, a title change, a cursor move, a bidi override,
# a carriage return
HOSTILE = "\x1b[2J\x1b]0;owned\x07\x1b[1A\u202eevil\r"
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CHECK = json.loads((Path(__file__).parent / "data" / "check_snapshot.jsonl").read_text().splitlines()[0])[
    "check"
]


def _scan_report() -> dict:
    scanner = Scanner()
    scanner.feed(
        "2026-11-30T10:00:00Z ERROR 403 PERMISSION_DENIED: Generative Language API has not been used in "
        f"project 123456789012 before or it is disabled. {HOSTILE}\n".encode()
    )
    scanner.finish()
    return scanner.to_dict()


def _demo_report() -> dict:
    ran = {
        "scenario": "service_disabled",
        "world": "the API is disabled",
        "call": "generate_content(...)",
        "raw_error": f"HTTP 403: {HOSTILE} the API is disabled",
        "matched": True,
        "seconds": 1.0,
        "explain": {"top": "service_disabled", "confidence": 0.9, "settled": True},
        "check": {
            "healthy": False,
            "top": "service_disabled",
            "confidence": 0.99,
            "requests": 3,
            "elapsed_ms": 40,
            "fix": "gcloud services enable generativelanguage.googleapis.com --project=acme-prod",
        },
    }
    broken = {"scenario": "wrong_surface", "matched": False, "error": f"RuntimeError: {HOSTILE}\nsecond line"}
    return {"matched": False, "scenarios": [ran, broken]}


APPLIED = {
    "healthy_before": False,
    "summary_before": f"Problem: The API is not enabled {HOSTILE}",
    "plan": [
        {"cause": "service_disabled", "change": [f"enable the API in {HOSTILE}"], "mutations": 1},
        {
            "cause": "iam_permission_missing",
            "change": ["IAM policy:", f"  + roles/x: {HOSTILE}"],
            "mutations": 1,
        },
    ],
    "applied": [f"enabled it {HOSTILE}"],
    "notes": [f"could not finish {HOSTILE}"],
    "acting_as": "dev@example.com",
    "verified": {"healthy": False, "summary": f"Problem: {HOSTILE}", "attempts": 2, "seconds": 3.0},
}

SAMPLES = {
    "diagnosis": (
        explain(f"403 PERMISSION_DENIED: Generative Language API has not been used {HOSTILE}").to_dict(),
        {},
    ),
    "check": (CHECK, {}),
    "fix": (CHECK, {}),
    "apply": (APPLIED, {}),
    "scan": (_scan_report(), {"source": "app.log"}),
    "demo": (_demo_report(), {}),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("view", VIEWS)
def test_every_view_renders_in_every_format_with_no_control_character(view, fmt):
    result, options = SAMPLES[view]
    stream = io.StringIO()
    render(result, fmt, stream, view=view, colour=False, **options)
    out = stream.getvalue()
    assert out.endswith("\n") and not CONTROLS.search(out), repr(out[:500])
    if view in ("diagnosis", "apply", "scan", "demo") and fmt != "json":
        assert "\\x1b" in out  # the hostile input is there, shown as escapes
    if fmt == "json":
        assert isinstance(json.loads(out), dict)
    if fmt == "markdown":
        assert out.startswith("## gemini-doctor ")


def test_the_demo_streamed_is_the_demo_rendered_and_a_failed_scenario_stays_on_one_line():
    report = _demo_report()
    streamed = io.StringIO()
    print_lines(demo_head(2), streamed, colour=False)
    for n, r in enumerate(report["scenarios"], 1):
        print_lines(scenario_lines(n, 2, r), streamed, colour=False)
    print_lines(demo_tail(report["scenarios"]), streamed, colour=False)
    rendered = io.StringIO()
    render(report, "text", rendered, view="demo", colour=False)
    assert streamed.getvalue() == rendered.getvalue()
    failed = next(line for line in rendered.getvalue().splitlines() if "could not run" in line)
    assert failed.endswith("second line") and "\\x1b[2J" in failed


def test_the_hooks_note_shows_escape_sequences_as_text(monkeypatch):
    """Whatever reaches the note (a title, a fix, retry advice filled from the error) cannot act on the
    terminal."""
    hostile_top = {
        "id": "service_disabled",
        "title": f"The API is off {HOSTILE}",
        "confidence": 0.9,
        "fix": [{"step": f"Enable it {HOSTILE}\nnext"}],
        "retry_advice": f"Retry {HOSTILE}",
    }

    class Diagnosis:
        def to_dict(self) -> dict:
            return {"causes": [hostile_top]}

    monkeypatch.setattr("gemini_doctor.api.explain", lambda exc: Diagnosis())
    google_error = type("ClientError", (Exception,), {"__module__": "google.genai.errors"})
    note = hooks.note_for(google_error("403 PERMISSION_DENIED"))
    assert note.startswith("gemini-doctor: The API is off") and "\\x1b]0;owned\\x07" in note
    assert not CONTROLS.search(note) and "\n" not in note


def test_scan_prints_markdown_for_a_ticket(tmp_path):
    log = tmp_path / "app.log"
    log.write_text(
        "2026-11-30T10:00:00Z ERROR 403 PERMISSION_DENIED: Generative Language API has not been used in "
        f"project 123456789012 before or it is disabled. <img src=x> {HOSTILE}\n"
    )
    done = run_cli("scan", str(log), "--format", "markdown")
    out = done.stdout.decode()
    assert done.returncode == 1 and out.startswith("## gemini-doctor scan") and "(`service_disabled`)" in out
    assert "<img" not in out and "&lt;img" in out and not CONTROLS.search(out)
    assert "- fix: gcloud services enable generativelanguage.googleapis.com --project=123456789012\n" in out
