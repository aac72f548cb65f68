"""`fix --apply` for api_key_api_restricted: the API the app calls joins the key's API restrictions (a methods
list that blocks generation is dropped for it), every other target kept; check is healthy after."""

import json
import shutil

import pytest

from check_helpers import check, user_env
from conftest import invoke_cli
from gemini_doctor.emulator.scenarios import DEV, scenario_world
from gemini_doctor.remedies import RemedyDenied, _api_targets

GEMINI_API = "generativelanguage.googleapis.com"


def _apply(emu, home, *roles: str) -> tuple[int, dict]:
    """fix --apply --yes as dev@example.com (their gcloud login), holding *roles* beside Viewer."""
    emu.server.world.projects[0].iam += [{"role": role, "members": [f"user:{DEV}"]} for role in roles]
    env = user_env(emu, home)
    (home / "gcloud").mkdir(exist_ok=True)
    shutil.copy(emu.credentials[DEV], home / "gcloud" / "application_default_credentials.json")
    done = invoke_cli(
        "fix", "--apply", "--yes", "--format", "json", "--endpoint", emu.url, "--wait", "10", env=env
    )
    return done.returncode, json.loads(done.stdout)


def _targets(emu) -> tuple[list[str], dict]:
    (key,) = emu.server.world.api_keys
    return key.restrictions.api_targets, key.restrictions.api_methods


@pytest.mark.parametrize(
    ("restrictions", "change", "after"),
    [
        (None, f"  + {GEMINI_API}", ["cloudaicompanion.googleapis.com", GEMINI_API]),  # the scenario's key
        (
            {
                "api_targets": ["maps-backend.googleapis.com", GEMINI_API],
                "api_methods": {GEMINI_API: ["CountTokens"]},
            },
            f"  {GEMINI_API}: every method (was: CountTokens)",
            ["maps-backend.googleapis.com", GEMINI_API],
        ),
    ],
)
def test_apply_adds_the_api_and_keeps_every_other_target(
    gemini_emulator, tmp_path, restrictions, change, after
):
    world = scenario_world("api_key_api_restricted")
    if restrictions:
        world["api_keys"][0]["restrictions"] = restrictions
    emu = gemini_emulator(world)
    code, report = _apply(emu, tmp_path, "roles/serviceusage.apiKeysAdmin")
    assert code == 0, report
    assert [step["cause"] for step in report["plan"]] == ["api_key_api_restricted"]
    assert change in report["plan"][0]["change"] and report["verified"]["healthy"]
    assert _targets(emu) == (after, {})
    assert emu.stats()["mutations"] == 1 and check(emu, tmp_path).healthy


def test_apply_says_which_role_would_when_the_key_may_not_be_changed(gemini_emulator, tmp_path):
    emu = gemini_emulator("api_key_api_restricted")
    code, report = _apply(emu, tmp_path)  # a Viewer reads the key, may not patch it
    assert code != 0 and "needs roles/serviceusage.apiKeysAdmin" in json.dumps(report)
    assert emu.stats()["mutations"] == 0


@pytest.mark.parametrize(
    "restrictions",
    [
        [GEMINI_API],
        {"apiTargets": "generativelanguage.googleapis.com"},
        {"apiTargets": [{"service": GEMINI_API, "methods": [3]}]},
        {"apiTargets": [{"service": GEMINI_API, "methods": "GenerateContent"}]},
        {"apiTargets": [{"methods": []}]},
    ],
)
def test_api_targets_not_in_googles_shape_are_refused_not_crashed_on(restrictions):
    with pytest.raises(RemedyDenied, match="nothing was changed"):
        _api_targets({"restrictions": restrictions})
