"""@google/genai under node against the emulator, with the settings the README documents: `source env.sh`,
then `new GoogleGenAI({})` (the API key and GOOGLE_GEMINI_BASE_URL come from the environment)."""

import functools
import json
import shutil
import subprocess

import pytest

from conftest import REPO

NODE_DIR = REPO / "tests" / "node"
APP = """
import {GoogleGenAI} from '@google/genai';
const ai = new GoogleGenAI({});
const model = process.env.APP_MODEL;
let out;
try {
  const reply = await ai.models.generateContent({model, contents: 'Say hello'});
  let streamed = '';
  const stream = await ai.models.generateContentStream({model, contents: 'Say hello'});
  for await (const chunk of stream) streamed += chunk.text;
  const counted = await ai.models.countTokens({model, contents: 'one two three'});
  out = {text: reply.text, stream: streamed, tokens: counted.totalTokens};
} catch (error) {
  out = {error: error.constructor.name, status: error.status, message: error.message};
}
console.log(JSON.stringify(out));
"""


@functools.cache
def sdk_imports() -> bool:
    """Whether node can import the installed @google/genai (an interrupted install leaves a package without
    code)."""
    probe = ["node", "--input-type=module", "-e", "await import('@google/genai')"]
    return subprocess.run(probe, cwd=NODE_DIR, capture_output=True, timeout=60).returncode == 0


def run_node_app(emu, tmp_path) -> dict:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the @google/genai test needs node 18+")
    if not sdk_imports():
        pytest.skip(
            "@google/genai is not installed (or incomplete): run `npm install --prefix tests/node` (.ci/run "
            "does)"
        )
    env = {
        "PATH": shutil.which("node").rsplit("/", 1)[0] + ":/usr/bin:/bin",
        "HOME": str(tmp_path),
        "APP": APP,
        "APP_MODEL": emu.model,
    }
    command = f'source {emu.credentials["env"]} && node --input-type=module -e "$APP"'
    done = subprocess.run(
        ["bash", "-c", command], cwd=NODE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "conflicting values" not in done.stderr, done.stderr[-2000:]  # the SDK's surface-flag warning
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_healthy_generate_stream_and_count(gemini_emulator, tmp_path):
    out = run_node_app(gemini_emulator("healthy"), tmp_path)
    reply = "Hello from the gemini-doctor emulator."
    assert out == {"text": reply, "stream": reply, "tokens": 3}


@pytest.mark.parametrize(
    ("scenario", "status", "text"),
    [
        ("service_disabled", 403, "SERVICE_DISABLED"),
        ("api_key_invalid", 400, "API key not valid"),
        ("quota_limit_zero", 429, "RESOURCE_EXHAUSTED"),
    ],
)
def test_failures_raise_the_sdks_api_error_with_googles_status(
    gemini_emulator, tmp_path, scenario, status, text
):
    out = run_node_app(gemini_emulator(scenario), tmp_path)
    assert out["error"] == "ApiError" and out["status"] == status and text in out["message"], out
