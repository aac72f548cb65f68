"""Google's Vertex SDK (`vertexai` in google-cloud-aiplatform, REST transport, a service-account key file)
against the emulator, with the settings the README documents. The SDK lives in a venv of its own
(tests/vertexai_venv.py). It signs its own JWT with the key file: the token endpoint is never asked.
"""

import json
import os
import subprocess

import pytest

import vertexai_venv
from conftest import REPO
from emulator_clients import on_vertex, tokens_issued_to
from gemini_doctor.emulator.scenarios import APP_SA

REPLY = "Hello from the gemini-doctor emulator."
README_ROW = next(
    line
    for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    if line.startswith("| Vertex SDK")
)

# The app: generate, stream and countTokens, each reported as what happened, in each of WORLDS (their env.sh
# settings) in turn, in one process (the SDK costs seconds to import). The first world's env.sh is sourced and
# the README's vertexai.init line run as written; the SDK keeps the credentials it found first, so each later
# world's key file is passed to vertexai.init.
APP = """
import json, os, warnings
warnings.simplefilter("ignore")   # the SDK's own deprecation notice
import google.auth
import vertexai
from google.api_core import exceptions
from vertexai.generative_models import GenerativeModel

def attempt(call):
    try:
        return {"ok": call()}
    except exceptions.GoogleAPICallError as exc:
        status = exc.response.json()["error"]["status"]
        return {"error": type(exc).__name__, "code": exc.code, "status": status, "message": exc.message,
                "reason": exc.reason}

def calls():
    model = GenerativeModel(os.environ["APP_MODEL"])

    def stream():
        return "".join(c.text for c in model.generate_content("Say hello", stream=True))

    return {"generate": attempt(lambda: model.generate_content("Say hello").text),
            "stream": attempt(stream),
            "tokens": attempt(lambda: model.count_tokens("one two three").total_tokens)}

INIT
out = [calls()]
for environ in json.loads(os.environ["WORLDS"])[1:]:
    os.environ.update(environ)
    vertexai.init(project=environ["GOOGLE_CLOUD_PROJECT"], location=environ["GOOGLE_CLOUD_LOCATION"],
                  api_transport="rest", api_endpoint=environ["GEMINI_DOCTOR_ENDPOINT"],
                  credentials=google.auth.default()[0])
    out.append(calls())
print(json.dumps(out))
"""


def _init_line() -> str:
    start = README_ROW.index("`vertexai.init(") + 1
    return README_ROW[start : README_ROW.index("`", start)]


@pytest.fixture(scope="session")
def vertexai_python():
    """The python of the SDK's venv (made now if `.ci/run` has not made it)."""
    try:
        return vertexai_venv.ensure()
    except vertexai_venv.NotMade as failure:
        if os.environ.get("CI"):
            pytest.fail(f"could not install {vertexai_venv.SDK}: {str(failure)[-2000:]}")
        pytest.skip(
            f"could not install {vertexai_venv.SDK} into its own venv (needs the package registry): {failure}"
        )


def run_app(python, worlds, home) -> list[dict]:
    """The app after `source env.sh` of the first of *worlds*, in the SDK's venv; then in each of the
    others."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "NO_GCE_CHECK": "true",
        "APP": APP.replace("INIT", _init_line()),
        "APP_MODEL": worlds[0].model,
        "WORLDS": json.dumps([world.environ for world in worlds]),
    }
    command = f'source {worlds[0].credentials["env"]} && {python} -c "$APP"'
    done = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# scenario, api-core's exception, HTTP code, Google's status, ErrorInfo reason, words of Google's message
FAILURES = [
    (
        "iam_permission_missing",
        "Forbidden",
        403,
        "PERMISSION_DENIED",
        "IAM_PERMISSION_DENIED",
        "Permission 'aiplatform.endpoints.predict' denied on resource",
    ),
    ("billing_disabled", "Forbidden", 403, "PERMISSION_DENIED", "BILLING_DISABLED", "billing to be enabled"),
    (
        "access_token_invalid",
        "Unauthorized",
        401,
        "UNAUTHENTICATED",
        None,
        "Request had invalid authentication credentials",
    ),
    (
        "model_not_in_region",
        "NotFound",
        404,
        "NOT_FOUND",
        None,
        "was not found or your project does not have access to it",
    ),
    ("quota_limit_zero", "TooManyRequests", 429, "RESOURCE_EXHAUSTED", None, "limit: 0"),
]


def test_healthy_then_failing_worlds_in_one_sdk_process(vertexai_python, gemini_emulator, tmp_path):
    """Healthy after `source env.sh` and the README's vertexai.init line: generate, stream and count with the
    key file, signing its own JWT; then each of FAILURES raises api-core's exception with Google's status
    (one process for all: the SDK costs seconds to import)."""
    healthy = gemini_emulator(on_vertex("healthy"))
    failing = [gemini_emulator(on_vertex(scenario)) for scenario, *_ in FAILURES]
    out, *outs = run_app(vertexai_python, [healthy, *failing], tmp_path)
    assert out == {"generate": {"ok": REPLY}, "stream": {"ok": REPLY}, "tokens": {"ok": 3}}, out
    assert not tokens_issued_to(
        healthy, APP_SA
    )  # a self-signed JWT each time: the token endpoint was never asked
    for (scenario, error, code, status, reason, message), out in zip(FAILURES, outs, strict=True):
        for call in ("generate", "stream"):
            raised = out[call]
            assert (raised["error"], raised["code"], raised["status"], raised["reason"]) == (
                error,
                code,
                status,
                reason,
            ), (scenario, out)
            assert message in raised["message"], (scenario, out)
        if scenario == "quota_limit_zero":  # countTokens spends no generation quota, as at Google
            assert out["tokens"] == {"ok": 3}, out
