"""World files: bad worlds fail at load with a message naming the field and line."""

import pytest

from gemini_doctor.emulator.backends import load_world
from gemini_doctor.emulator.world import WorldError


@pytest.mark.parametrize(
    "text, needle",
    [
        ("projects:\n  - id: p\n", "projects[0].number: is required (line 2)"),
        ("projects:\n  - id: p\n    number: x\n", "projects[0].number: must be of type int"),
        ("projects:\n  - id: p\n    number: 1\n    billing: maybe\n", "projects[0].billing: must be one of"),
        ("caller: {}\ncaller: {}\n", "line 2: duplicate key 'caller'"),
        (
            "api_keys:\n  - key: k\n    name: n\n    project: p\n    state: lost\n",
            "api_keys[0].state: must be one of",
        ),
        ("[1, 2]\n", "mapping at the top level"),
        (
            "api_keys:\n  - {key: k, name: n, project: p, restrictions: {api_methods: {s: [1]}}}\n",
            "api_keys[0].restrictions.api_methods.s[0]: must be of type str",
        ),
        (
            "api_keys:\n  - {key: k, name: n, project: p, restrictions: {android_fingerprints: [x]}}\n",
            "api_keys[0].restrictions.android_fingerprints: must be of type dict",
        ),
        ("models:\n  - name: m\n    launch_stage: BETA\n", "models[0].launch_stage: must be one of GA"),
    ],
)
def test_bad_worlds_fail_at_load_naming_field_and_line(tmp_path, text, needle):
    path = tmp_path / "world.yaml"
    path.write_text(text)
    with pytest.raises(WorldError) as caught:
        load_world(path)
    assert needle in str(caught.value)


def test_fixture_takes_the_client_from_a_world_file(tmp_path, gemini_emulator):
    import yaml

    from gemini_doctor.emulator.scenarios import scenario_world

    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(scenario_world("model_not_found")))
    emu = gemini_emulator(path)
    assert emu.model == "gemini-2.5-flash-lite" and emu.api_key
