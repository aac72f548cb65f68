"""@google/genai under node against the emulator, with the settings the README documents: `source env.sh`,
then `new GoogleGenAI({})` (the API key and GOOGLE_GEMINI_BASE_URL come from the environment)."""

import json
import shutil
import subprocess

import pytest

from conftest import REPO
from gemini_doctor.emulator.harness import start

NODE_DIR = REPO / "tests" / "node"
# The app: generate, stream and countTokens with a `new GoogleGenAI({})`, in each of WORLDS (the settings
# their env.sh exports) in turn, in one node process (node and the SDK take ~0.3 s of CPU to start). The first
# world's env.sh is sourced; each later world's settings replace the previous world's in process.env.
APP = """
const worlds = JSON.parse(process.env.WORLDS);
let GoogleGenAI;
try {
  ({GoogleGenAI} = await import('@google/genai'));
} catch (error) {
  console.log(JSON.stringify({missing: String(error)}));
  process.exit(0);
}
const outs = [];
for (const [index, world] of worlds.entries()) {
  if (index > 0) {
    for (const name of Object.keys(worlds[index - 1].environ)) delete process.env[name];
    Object.assign(process.env, world.environ);
  }
  const ai = new GoogleGenAI({});
  const model = world.model;
  try {
    const reply = await ai.models.generateContent({model, contents: 'Say hello'});
    let streamed = '';
    const stream = await ai.models.generateContentStream({model, contents: 'Say hello'});
    for await (const chunk of stream) streamed += chunk.text;
    const counted = await ai.models.countTokens({model, contents: 'one two three'});
    outs.push({text: reply.text, stream: streamed, tokens: counted.totalTokens});
  } catch (error) {
    outs.push({error: error.constructor.name, status: error.status, message: error.message});
  }
}
console.log(JSON.stringify(outs));
"""
FAILURES = [
    ("service_disabled", 403, "SERVICE_DISABLED"),
    ("api_key_invalid", 400, "API key not valid"),
    ("quota_limit_zero", 429, "RESOURCE_EXHAUSTED"),
]


@pytest.fixture(scope="module")
def node_outs(tmp_path_factory) -> dict[str, dict]:
    """What the app did in each world (healthy first, then each of FAILURES), by scenario."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the @google/genai test needs node 18+")
    scenarios = ["healthy", *(scenario for scenario, *_ in FAILURES)]
    emulators = [start(scenario, tmp_path_factory.mktemp("credentials")) for scenario in scenarios]
    try:
        env = {
            "PATH": shutil.which("node").rsplit("/", 1)[0] + ":/usr/bin:/bin",
            "HOME": str(tmp_path_factory.mktemp("home")),
            "APP": APP,
            "WORLDS": json.dumps([{"environ": emu.environ, "model": emu.model} for emu in emulators]),
        }
        command = f'source {emulators[0].credentials["env"]} && node --input-type=module -e "$APP"'
        done = subprocess.run(
            ["bash", "-c", command], cwd=NODE_DIR, env=env, capture_output=True, text=True, timeout=120
        )
    finally:
        for emu in emulators:
            emu.server.stop()
    assert done.returncode == 0, done.stderr[-2000:]
    assert "conflicting values" not in done.stderr, done.stderr[-2000:]  # the SDK's surface-flag warning
    outs = json.loads(done.stdout.strip().splitlines()[-1])
    if "missing" in outs:  # an interrupted install leaves a package without code
        pytest.skip(
            "@google/genai is not installed (or incomplete): run `npm install --prefix tests/node` (.ci/run "
            f"does): {outs['missing']}"
        )
    return dict(zip(scenarios, outs, strict=True))


def test_healthy_generate_stream_and_count(node_outs):
    reply = "Hello from the gemini-doctor emulator."
    assert node_outs["healthy"] == {"text": reply, "stream": reply, "tokens": 3}


@pytest.mark.parametrize(("scenario", "status", "text"), FAILURES)
def test_failures_raise_the_sdks_api_error_with_googles_status(node_outs, scenario, status, text):
    out = node_outs[scenario]
    assert out["error"] == "ApiError" and out["status"] == status and text in out["message"], out
