"""Impersonated credentials: IAM Credentials generateAccessToken as google-auth calls it, and the fix
explain gives when the Token Creator role is missing."""

import copy
import json
import subprocess
import sys

import httpx
import pytest
from google.auth.transport.requests import Request

from gemini_doctor.emulator.clients import google_credentials
from gemini_doctor.emulator.scenarios import APP_SA, HEALTHY

RUNNER = "runner@acme-prod.iam.gserviceaccount.com"


def _world(may_impersonate: bool):
    world = copy.deepcopy(HEALTHY)
    world["service_accounts"].append({"email": RUNNER, "project": "acme-prod"})
    if may_impersonate:
        world["projects"][0]["iam"].append(
            {"role": "roles/iam.serviceAccountTokenCreator", "members": [f"serviceAccount:{APP_SA}"]}
        )
    return world


# What an app's test does: google-auth's impersonated credentials, their IAM endpoint pointed at the emulator.
SCRIPT = """
import json, sys, gemini_doctor
from google.auth import impersonated_credentials
from google.auth.transport.requests import Request
from google.oauth2 import service_account
scopes = ["https://www.googleapis.com/auth/cloud-platform"]
source = service_account.Credentials.from_service_account_file(sys.argv[1], scopes=scopes)
endpoint = sys.argv[3] + "/v1/projects/-/serviceAccounts/" + sys.argv[2] + ":generateAccessToken"
target = impersonated_credentials.Credentials(source, sys.argv[2], scopes, iam_endpoint_override=endpoint)
try:
    target.refresh(Request())
    print(json.dumps({"token": target.token[:14]}))
except Exception as exc:
    cause = gemini_doctor.explain(exc).to_dict()["causes"][0]
    print(json.dumps({"cause": cause["id"], "command": cause["fix"][0].get("command")}))
"""


@pytest.mark.parametrize("may", [True, False])
def test_impersonation_through_the_emulator(gemini_emulator, may):
    emu = gemini_emulator(_world(may))
    argv = [sys.executable, "-c", SCRIPT, str(emu.credentials[APP_SA]), RUNNER, emu.url]
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=60,
        env={"NO_GCE_CHECK": "true", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    if may:
        assert result == {"token": "ya29.emulated-"}
    else:
        assert result == {
            "cause": "iam_permission_missing",
            "command": "# gcloud projects add-iam-policy-binding PROJECT_ID --member=PRINCIPAL "
            "--role=roles/iam.serviceAccountTokenCreator    <- fill in PROJECT_ID (not in the error), "
            "PRINCIPAL (not in the error)",
        }


def test_an_unknown_account_is_refused_like_a_denied_one(gemini_emulator):
    emu = gemini_emulator(_world(True))
    source = google_credentials({"principal": APP_SA}, emu.credentials, emu.url)
    source.refresh(Request())
    replies = [
        httpx.post(
            f"{emu.url}/v1/projects/-/serviceAccounts/{email}:generateAccessToken",
            headers={"Authorization": f"Bearer {source.token}"},
            json={"scope": ["x"]},
        )
        for email in ("nobody@acme-prod.iam.gserviceaccount.com", RUNNER)
    ]
    assert [r.status_code for r in replies] == [403, 200]
    assert replies[0].json()["error"]["details"][0]["reason"] == "IAM_PERMISSION_DENIED"
