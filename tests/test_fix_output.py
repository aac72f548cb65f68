"""What `fix` prints is safe to paste whole, and no output leaves a placeholder in its prose."""

import json
import re
import subprocess

import pytest

from check_helpers import check, user_env
from conftest import invoke_cli
from gemini_doctor import explain
from gemini_doctor.catalogue import load_catalogue
from gemini_doctor.emulator.scenarios import DEV, scenario_names, scenario_world
from gemini_doctor.engine.fill import fill_in_name
from gemini_doctor.render.fixes import fix_lines, fix_markdown

_TEMPLATE_NAMES = {
    name
    for cause in load_catalogue().values()
    for step in cause.fix
    for name in re.findall(r"\{([a-z_]+)\}", f"{step.step} {step.command or ''} {step.url or ''}")
}
_TEMPLATE_NAMES |= {
    name
    for cause in load_catalogue().values()
    for name in re.findall(r"\{([a-z_]+)\}", cause.why + " ".join(cause.checks))
}
_NAMES = "|".join(sorted({fill_in_name(n) for n in _TEMPLATE_NAMES} | {n.upper() for n in _TEMPLATE_NAMES}))
FILL_IN = re.compile(rf"(?<![\w-])(?:{_NAMES})(?![\w-])")


def _prose(result: dict) -> list[str]:
    """The sentences we write (not Google's words quoted as evidence)."""
    lines = [result.get("summary", ""), result.get("next_step", "")]
    for cause in result["causes"]:
        lines += [
            cause["title"],
            cause["why"],
            cause["retry_advice"],
            *cause["checks"],
            *(s["step"] for s in cause["fix"]),
        ]
    return [line for line in lines if line]


def _assert_no_placeholder_in_prose(result: dict, where: str) -> None:
    for line in _prose(result):
        assert "{" not in line and not FILL_IN.search(line), (where, line)


def _live_commands(script: str) -> list[str]:
    return [line for line in script.splitlines() if line.strip() and not line.startswith("#")]


def _assert_runnable(command: str) -> None:
    assert not FILL_IN.search(command) and "<" not in command, command
    assert subprocess.run(["bash", "-n", "-c", command], capture_output=True).returncode == 0, command


def fix_script(data: dict) -> str:
    """The fix as the shell text `fix` prints: comments, and the one live command (or none)."""
    return "".join(text + "\n" for _, text in fix_lines(data))


@pytest.mark.parametrize("scenario", scenario_names())
def test_every_scenario_fix_pastes_whole_and_reads_without_placeholders(gemini_emulator, tmp_path, scenario):
    emu = gemini_emulator(scenario)
    result = check(emu, tmp_path).to_dict()
    _assert_no_placeholder_in_prose(result, scenario)
    script = fix_script(result)
    assert script.startswith(("# Problem: ", "# Healthy: "))
    live = _live_commands(script)
    assert len(live) <= 1, script
    for command in live:
        _assert_runnable(command)


def test_every_error_text_reads_without_placeholders(error_cases):
    for case in error_cases:
        _assert_no_placeholder_in_prose(explain(case["error_text"]).to_dict(), case["id"])


def test_alternatives_and_less_likely_causes_are_commented_out():
    result = {
        "summary": (
            "Problem: The credential and the endpoint belong to different Gemini surfaces (wrong_surface)."
        ),
        "causes": [
            explain("API keys are not supported by this API. Expected OAuth2 access token").to_dict()[
                "causes"
            ][0],
            {
                **explain("Request had insufficient authentication scopes.").to_dict()["causes"][0],
                "confidence": 0.6,
            },
        ],
    }
    script = fix_script(result)
    assert _live_commands(script) == ["unset GOOGLE_GENAI_USE_ENTERPRISE GOOGLE_GENAI_USE_VERTEXAI"]
    assert script.startswith("# Problem: The credential") and "less likely" in script
    assert all(
        line.startswith("#")
        for line in script.splitlines()
        if "export GOOGLE_GENAI_USE_ENTERPRISE=true" in line
    )


def test_fix_markdown_is_markdown(gemini_emulator, tmp_path):
    emu = gemini_emulator("service_disabled")
    done = invoke_cli("fix", "--format", "markdown", "--endpoint", emu.url, env=user_env(emu, tmp_path))
    out = done.stdout.decode()
    assert out.startswith("## gemini-doctor fix") and "**Problem:" in out and "```sh" in out, out
    assert fix_markdown(check(emu, tmp_path).to_dict()) == out


def test_apply_names_the_account_that_acts(gemini_emulator, tmp_path):
    world = scenario_world("service_disabled")
    world["projects"][0]["iam"].append(
        {"role": "roles/serviceusage.serviceUsageAdmin", "members": [f"user:{DEV}"]}
    )
    emu = gemini_emulator(world)
    done = invoke_cli(
        "fix",
        "--apply",
        "--yes",
        "--format",
        "json",
        "--endpoint",
        emu.url,
        "--wait",
        "5",
        "--admin-credentials",
        str(emu.credentials[DEV]),
        env=user_env(emu, tmp_path),
    )
    report = json.loads(done.stdout)
    assert report["plan"] and report["acting_as"], report


QUOTA_PROJECT_TEXT = """403 Your application is authenticating by using local Application Default \
Credentials. The generativelanguage.googleapis.com API requires a quota project, which is not set by \
default. [reason: "SERVICE_DISABLED"
metadata { key: "consumer" value: "projects/764086051850" }
metadata { key: "service" value: "generativelanguage.googleapis.com" }]"""


def test_no_fix_acts_on_gclouds_own_project(tmp_path):
    result = explain(QUOTA_PROJECT_TEXT).to_dict()
    assert result["causes"][0]["id"] == "quota_project_missing"
    for cause in result["causes"]:
        for step in cause["fix"]:
            assert "764086051850" not in step["step"] + step.get("url", ""), step
            assert step.get("command", "#").startswith("#") or "764086051850" not in step["command"], step
    assert (
        "set-quota-project acme-prod"
        in explain(QUOTA_PROJECT_TEXT, project="acme-prod").to_dict()["causes"][0]["fix"][0]["command"]
    )
    log = tmp_path / "app.log"
    log.write_text("2026-11-30T10:00:00Z ERROR " + QUOTA_PROJECT_TEXT.replace("\n", " ") + "\n")
    scanned = json.loads(invoke_cli("scan", "--format", "json", str(log)).stdout)
    assert scanned["groups"] and all(
        "764086051850" not in (g.get("fix") or "") or g["fix"].startswith("#") for g in scanned["groups"]
    )


def test_scan_and_the_demo_tour_read_without_placeholders(tmp_path, error_cases):
    from gemini_doctor.demo import TOUR
    from gemini_doctor.emulator.scenarios import NOTES

    log = tmp_path / "all.log"
    log.write_text("\n".join(" ".join(case["error_text"].split()) for case in error_cases) + "\n")
    out = invoke_cli("scan", str(log)).stdout.decode()
    ours = [
        line for line in out.splitlines() if not line.lstrip().startswith(("e.g.", "fix:"))
    ]  # not Google's words
    assert not [line for line in ours if FILL_IN.search(line) or "{" in line]
    assert not [
        NOTES.get(name, "")
        for name in TOUR
        if FILL_IN.search(NOTES.get(name, "")) or "{" in NOTES.get(name, "")
    ]
