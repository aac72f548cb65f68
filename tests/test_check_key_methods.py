"""A key whose API restriction names the Gemini API but only some of its methods: countTokens works, the
app's generateContent is blocked; `check` reads the key's methods and names the restriction, with the fix."""

import pytest

from check_helpers import check
from emulator_clients import call
from gemini_doctor.emulator.scenarios import scenario_world
from gemini_doctor.google.api_keys import blocked_generation

GEMINI_API = "generativelanguage.googleapis.com"


@pytest.mark.parametrize(
    ("methods", "blocked"),
    [
        ([], []),  # no methods listed: every method
        (["CountTokens"], ["GenerateContent", "StreamGenerateContent"]),
        (["Generate*"], ["StreamGenerateContent"]),  # a prefix of the method's own name
        ([f"{GEMINI_API}.generateContent"], ["StreamGenerateContent"]),  # case-insensitive, host then name
        (["google.ai.generativelanguage.v1beta.GenerativeService.*"], []),  # one version admitted is enough
        (
            ["google.cloud.aiplatform.v1.PredictionService.GenerateContent"],
            ["GenerateContent", "StreamGenerateContent"],
        ),  # another API's RPC
    ],
)
def test_which_generation_methods_an_api_targets_methods_block(methods, blocked):
    assert blocked_generation(methods, GEMINI_API) == blocked


def test_check_names_a_key_whose_methods_leave_out_generation(gemini_emulator, tmp_path):
    world = scenario_world("healthy")
    world["api_keys"][0]["restrictions"] = {
        "api_targets": [GEMINI_API],
        "api_methods": {GEMINI_API: ["CountTokens"]},
    }
    emu = gemini_emulator(world)
    with pytest.raises(Exception, match="GenerateContent are blocked"):  # the app's own call
        call(emu)
    data = check(emu, tmp_path).to_dict()
    checks = {c["id"]: c for c in data["checks"]}
    assert (
        checks["call_target"]["status"] == "ok"
    )  # countTokens is admitted: the probe call alone says nothing
    assert checks["key_restrictions"]["status"] == "fail"
    assert (
        "whose methods block GenerateContent and StreamGenerateContent"
        in checks["key_restrictions"]["summary"]
    )
    assert data["causes"][0]["id"] == "api_key_api_restricted"
    assert f"--api-target=service={GEMINI_API}" in data["causes"][0]["fix"][1]["command"]
