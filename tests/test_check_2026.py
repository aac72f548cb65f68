"""`check --format json` on worlds of Google as of late 2026 (tests/worlds_2026): the right first cause or
healthy, the documented exit code, nothing changed; the control model is always one the world serves."""

import json
from pathlib import Path

import pytest
import yaml

from check_helpers import user_env
from conftest import invoke_cli
from gemini_doctor.emulator.backends import load_world
from gemini_doctor.emulator.scenarios import scenario_world

WORLDS = Path(__file__).parent / "worlds_2026"


def build(spec: dict) -> dict:
    """A built-in scenario with the spec's changes."""
    world = scenario_world(spec["base"])
    if "today" in spec:
        world["today"] = spec["today"]
    world["client"].update(spec.get("client", {}))
    world["projects"][0].update(spec.get("project", {}))
    if "key_restrictions" in spec:
        world["api_keys"][0]["restrictions"] = spec["key_restrictions"]
    if "keep_models" in spec:
        world["models"] = [m for m in world["models"] if m["name"] in spec["keep_models"]]
    return world


def served(world: dict, name: str, location: str, surface: str) -> bool:
    """Whether the world serves model *name* to its project today on *surface* (at *location* on Vertex)."""
    loaded = load_world(world)
    model = loaded.model(name)
    return (
        model is not None
        and surface in model.surfaces
        and model.refusal(loaded.today, loaded.projects[0]) is None
        and (surface == "gemini-api" or location in model.locations)
    )


@pytest.mark.parametrize("name", sorted(p.stem for p in WORLDS.glob("*.yaml")))
def test_check_json_on_2026_worlds(gemini_emulator, tmp_path, name):
    spec = yaml.safe_load((WORLDS / f"{name}.yaml").read_text())
    world = build(spec)
    emu = gemini_emulator(world)
    env = {**user_env(emu, tmp_path), "GEMINI_DOCTOR_TODAY": str(load_world(world).today)}
    done = invoke_cli(
        "check", "--format", "json", "--endpoint", emu.url, "--model", world["client"]["model"], env=env
    )
    data = json.loads(done.stdout)
    expect = spec["expect"]
    first = data["causes"][0]["id"] if data["causes"] else "healthy"
    assert (first, done.returncode) == (expect["cause"], expect["exit"]), (
        data["summary"],
        data["checks"],
        data["causes"][:3],
    )
    assert data["healthy"] == (expect["cause"] == "healthy")
    if "says" in expect:
        assert expect["says"] in json.dumps(data), data
    assert emu.stats()["mutations"] == 0
    control = next((c for c in data["checks"] if c["id"] == "call_control"), None)
    if control and control["status"] == "ok":
        model = control["summary"].removeprefix("countTokens on ").removesuffix(" works")
        assert model == expect.get("control", model)
        surface = "vertex" if world["client"]["surface"] == "vertex" else "gemini-api"
        # on Vertex the control runs at the app's location when the model is served there, else on global
        assert any(served(world, model, at, surface) for at in (world["client"].get("location"), "global")), (
            model
        )
