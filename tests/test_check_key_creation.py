"""`check --for key-creation`: may the signed-in account create an AI Studio key in the project? Read-only,
with the exact grant or the admin to ask, and never a Google failure blamed on the user."""

import json
import shutil
import subprocess

import pytest

from check_helpers import CHECK_TIMEOUT, FAULT_KINDS, hanging, user_env
from conftest import invoke_cli
from emulator_clients import gcloud_env
from gemini_doctor.check import run_check
from gemini_doctor.emulator.scenarios import APP_SA, DEV, OWNER, scenario_world
from gemini_doctor.probes.discovery import discover_person

EDITOR_GRANT = (
    "gcloud projects add-iam-policy-binding acme-prod --member=user:dev@example.com --role=roles/editor"
)


def _as(emu, home, person: str = DEV) -> dict[str, str]:
    """The shell after `source env.sh`, signed in as *person* (their authorized-user ADC file)."""
    return {**user_env(emu, home), "GOOGLE_APPLICATION_CREDENTIALS": str(emu.credentials[person])}


def key_check(emu, home, person: str = DEV, project: str = "acme-prod", timeout: float = CHECK_TIMEOUT):
    setup = discover_person(_as(emu, home, person), project, emu.url)
    return run_check(setup, emu.url, timeout)


def _checks(data: dict) -> dict[str, dict]:
    return {c["id"]: c for c in data["checks"]}


def test_a_missing_role_is_named_with_the_exact_grant_and_the_admin_to_ask(gemini_emulator, tmp_path):
    emu = gemini_emulator("iam_permission_missing")
    result = key_check(emu, tmp_path)
    data = result.to_dict()
    assert result.exit_code == 1 and data["purpose"] == "key-creation"
    top = data["causes"][0]
    assert top["id"] == "iam_permission_missing", [(c["id"], c["confidence"]) for c in data["causes"]]
    checks = _checks(data)
    assert checks["kc_permissions"]["status"] == "fail"
    for permission in (
        "apikeys.keys.create",
        "iam.serviceAccounts.create",
        "iam.serviceAccountApiKeyBindings.create",
    ):
        assert permission in checks["kc_permissions"]["summary"]
    assert checks["kc_admins"]["status"] == "ok" and OWNER in checks["kc_admins"]["summary"]
    assert any(step.get("command") == EDITOR_GRANT for step in top["fix"]), top["fix"]
    assert any(OWNER in line for line in top["evidence"])
    assert checks["kc_org_policy"]["status"] == "ok" and checks["kc_project"]["status"] == "ok"
    assert emu.stats()["mutations"] == 0


def test_the_grant_names_the_narrowest_role_for_what_is_missing(gemini_emulator, tmp_path):
    world = scenario_world("healthy")  # dev may do all but create keys and bind them to service accounts
    world["projects"][0]["iam"] += [
        {"role": role, "members": [f"user:{DEV}"]}
        for role in ("roles/iam.serviceAccountCreator", "roles/serviceusage.serviceUsageAdmin")
    ]
    data = key_check(gemini_emulator(world), tmp_path).to_dict()
    missing = _checks(data)["kc_permissions"]["summary"]
    assert "apikeys.keys.create" in missing and "iam.serviceAccounts.create" not in missing
    commands = [s.get("command") for s in data["causes"][0]["fix"]]
    assert EDITOR_GRANT in commands, commands  # the binding permission: Google names Project Editor


def test_an_org_policy_against_keys_bound_to_service_accounts_is_named_first(gemini_emulator, tmp_path):
    emu = gemini_emulator("org_policy")
    data = key_check(emu, tmp_path).to_dict()
    assert data["causes"][0]["id"] == "org_policy", [(c["id"], c["confidence"]) for c in data["causes"]]
    checks = _checks(data)
    assert checks["kc_permissions"]["status"] == "ok"
    assert checks["kc_org_policy"]["status"] == "fail"
    assert (
        "constraints/iam.managed.disableServiceAccountApiKeyCreation is enforced"
        in checks["kc_org_policy"]["summary"]
    )
    assert any("service accounts" in line for line in data["causes"][0]["evidence"])
    assert emu.stats()["mutations"] == 0


def test_an_owner_may_create_keys(gemini_emulator, tmp_path):
    result = key_check(gemini_emulator("healthy"), tmp_path, person=OWNER)
    assert result.healthy and result.exit_code == 0 and result.to_dict()["causes"] == []
    assert "may create an AI Studio key in project acme-prod" in result.to_dict()["summary"]


def test_a_project_scheduled_for_deletion_or_unknown_is_the_wrong_project(gemini_emulator, tmp_path):
    world = scenario_world("healthy")
    world["projects"][0]["state"] = "DELETE_REQUESTED"
    data = key_check(gemini_emulator(world), tmp_path, person=OWNER).to_dict()
    assert data["causes"][0]["id"] == "wrong_project" and _checks(data)["kc_project"]["status"] == "fail"
    data = key_check(gemini_emulator("healthy"), tmp_path, person=OWNER, project="acme-typo").to_dict()
    assert (
        data["causes"][0]["id"] == "wrong_project"
        and "does not exist" in _checks(data)["kc_permissions"]["summary"]
    )


def test_reads_it_may_not_do_say_could_not_check_and_name_the_role(gemini_emulator, tmp_path):
    world = scenario_world("healthy")
    world["projects"][0]["iam"] = [{"role": "roles/browser", "members": [f"user:{DEV}"]}]
    data = key_check(gemini_emulator(world), tmp_path).to_dict()
    checks = _checks(data)
    assert (
        checks["kc_org_policy"]["status"] == "could_not_check"
        and "roles/orgpolicy.policyViewer" in checks["kc_org_policy"]["summary"]
    )
    assert (
        checks["kc_admins"]["status"] == "could_not_check"
        and "roles/viewer" in checks["kc_admins"]["summary"]
    )
    assert data["causes"][0]["id"] == "iam_permission_missing"


PATHS = {
    "kc_project": "/v3/projects/",
    "kc_permissions": ":testIamPermissions",
    "kc_org_policy": ":getEffectivePolicy",
    "kc_admins": ":getIamPolicy",
    "tokeninfo": "tokeninfo",
}


@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize("probe", sorted(PATHS))
def test_each_probe_failing_is_could_not_check_never_the_users_fault(gemini_emulator, tmp_path, kind, probe):
    world = scenario_world("iam_permission_missing")
    world["faults"] = [{"path_contains": PATHS[probe], "kind": kind}]
    emu = gemini_emulator(world)
    with hanging(PATHS[probe] if kind == "timeout" else None):
        result = key_check(emu, tmp_path)
    data = result.to_dict()
    assert _checks(data)[probe]["status"] == "could_not_check", _checks(data)
    if probe == "kc_permissions":  # the deciding check could not run: inconclusive, nothing blamed
        assert result.exit_code == 3 and data["causes"] == []
    else:
        assert data["causes"][0]["id"] == "iam_permission_missing"
    assert emu.stats()["mutations"] == 0


def test_cli_json_and_usage_errors(gemini_emulator, tmp_path):
    emu = gemini_emulator("iam_permission_missing")
    env = _as(emu, tmp_path)
    done = invoke_cli(
        "check",
        "--for",
        "key-creation",
        "--project",
        "acme-prod",
        "--endpoint",
        emu.url,
        "--format",
        "json",
        env=env,
    )
    assert done.returncode == 1, done.stderr.decode()[-2000:]
    data = json.loads(done.stdout)
    assert data["purpose"] == "key-creation" and data["causes"][0]["id"] == "iam_permission_missing"
    text = invoke_cli(
        "check", "--for", "key-creation", "--project", "acme-prod", "--endpoint", emu.url, env=env
    ).stdout.decode()
    assert EDITOR_GRANT in text and OWNER in text
    for project in ("x; rm -rf ~", "$(id)"):
        bad = invoke_cli(
            "check", "--for", "key-creation", "--project", project, "--endpoint", emu.url, env=env
        )
        assert bad.returncode == 2 and b"Traceback" not in bad.stderr, bad.stderr
    no_project = {k: v for k, v in env.items() if k != "GOOGLE_CLOUD_PROJECT"}
    missing = invoke_cli("check", "--for", "key-creation", "--endpoint", emu.url, env=no_project)
    assert missing.returncode == 2 and b"--project" in missing.stderr


def test_the_narrowest_role_carrying_every_missing_permission():
    from gemini_doctor.google.access import KEY_CREATION, role_carrying

    assert role_carrying(["apikeys.keys.create"]) == "roles/serviceusage.apiKeysAdmin"
    assert role_carrying(["iam.serviceAccounts.create"]) == "roles/iam.serviceAccountCreator"
    assert role_carrying(KEY_CREATION) == "roles/editor"


def test_the_readme_run_as_written(gemini_emulator, tmp_path):
    """The README's console block, run in bash from a folder where ./emu holds the scenario's credentials (the
    fixture plays its first command): the same report, line for line, timings aside."""
    import re

    from conftest import REPO
    from emulator_clients import in_shell

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("### May I create an AI Studio key here?") :]
    block = block[block.index("```console\n") + 11 :]
    block = block[: block.index("```\n")]
    commands = [line.removeprefix("$ ") for line in block.splitlines() if line.startswith("$ ")]
    assert commands[0].startswith(
        "gemini-doctor emulate --scenario iam_permission_missing --write-credentials ./emu"
    )
    shown = [line for line in block.splitlines() if not line.startswith("$ ")]
    emu = gemini_emulator("iam_permission_missing")
    done = in_shell(emu, tmp_path, " && ".join(commands[1:]))
    assert done.returncode == 1, done.stderr[-2000:]

    def timeless(lines):
        return [re.sub(r"\d+ ms\b", "N ms", line).rstrip() for line in lines]

    assert timeless(done.stdout.rstrip("\n").splitlines()) == timeless(shown)
    assert emu.stats()["mutations"] == 0


def test_the_person_is_the_gcloud_login_not_the_apps_service_account(gemini_emulator, tmp_path):
    emu = gemini_emulator("iam_permission_missing")  # the app runs as its service account
    env = user_env(emu, tmp_path)
    gcloud_adc = tmp_path / "gcloud" / "application_default_credentials.json"
    gcloud_adc.parent.mkdir(parents=True, exist_ok=True)
    gcloud_adc.write_text(emu.credentials[DEV].read_text())
    setup = discover_person(
        {**env, "GEMINI_API_KEY": "AQ.not-used", "CLOUDSDK_CONFIG": str(gcloud_adc.parent)}, None, emu.url
    )
    assert setup.principal == DEV and setup.api_key is None and setup.project == "acme-prod"


@pytest.mark.skipif(shutil.which("gcloud") is None, reason="gcloud is not installed (on PATH)")
def test_the_printed_grant_lets_the_real_gcloud_create_the_key(gemini_emulator, tmp_path):
    """The grant `check --for key-creation` prints runs in the real gcloud as the owner; before it, the
    person's `gcloud services api-keys create` gets Google's 403, after it a standard key and an auth key
    bound to a service account, which the emulator's Gemini API then accepts."""
    emu = gemini_emulator("iam_permission_missing")
    data = key_check(emu, tmp_path).to_dict()
    grants = [s["command"] for s in data["causes"][0]["fix"] if s.get("command", "").startswith("gcloud")]
    assert grants == [EDITOR_GRANT], data["causes"][0]["fix"]
    create = "gcloud services api-keys create --project=acme-prod --display-name=Gemini --format=json"
    person = gcloud_env(emu, tmp_path, DEV, "APIKEYS")
    refused = subprocess.run(["bash", "-c", create], env=person, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "apikeys.keys.create" in refused.stderr, refused.stderr[-1500:]
    owner = gcloud_env(emu, tmp_path, OWNER, "CLOUDRESOURCEMANAGER")
    granted = subprocess.run(
        ["bash", "-c", grants[0]], env=owner, capture_output=True, text=True, timeout=120
    )
    assert granted.returncode == 0, granted.stderr[-1500:]
    keys = []
    for flags in ("", f" --service-account={APP_SA} --api-target=service=generativelanguage.googleapis.com"):
        done = subprocess.run(
            ["bash", "-c", create + flags], env=person, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, (flags, done.stderr[-1500:])
        keys.append(json.loads(done.stdout)["response"]["keyString"])
    assert keys[0].startswith("AIza") and len(keys[0]) == 39 and keys[1].startswith("AQ.")
    from google import genai
    from google.genai import types

    client = genai.Client(api_key=keys[1], http_options=types.HttpOptions(base_url=emu.url))
    reply = client.models.generate_content(model=emu.model, contents="hi")
    assert reply.text and key_check(emu, tmp_path).healthy


@pytest.mark.skipif(shutil.which("gcloud") is None, reason="gcloud is not installed (on PATH)")
def test_the_org_policy_refuses_keys_bound_to_service_accounts_in_gcloud_too(gemini_emulator, tmp_path):
    emu = gemini_emulator("org_policy")  # dev is an Editor; keys bound to service accounts are forbidden
    assert key_check(emu, tmp_path).to_dict()["causes"][0]["id"] == "org_policy"
    create = f"gcloud services api-keys create --project=acme-prod --service-account={APP_SA}"
    person = gcloud_env(emu, tmp_path, DEV, "APIKEYS")
    refused = subprocess.run(["bash", "-c", create], env=person, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "disableServiceAccountApiKeyCreation" in refused.stderr, refused.stderr
    plain = create.split(" --service-account")[0]
    assert subprocess.run(["bash", "-c", plain], env=person, capture_output=True, timeout=120).returncode == 0
