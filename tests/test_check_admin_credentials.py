"""check --admin-credentials: the read-only admin probes (audit log, Policy Troubleshooter, org policy) run as
an admin's credential file while the app's own probes keep the app's credential; a file google-auth cannot use
is a usage error."""

import json

import pytest

from check_helpers import user_env
from conftest import invoke_cli
from emulator_clients import call
from gemini_doctor.emulator.scenarios import APP_SA, OWNER, scenario_world
from gemini_doctor.google.access import PREDICT


def _check(emu, tmp_path, *flags: str):
    return invoke_cli("check", "--format", "json", "--endpoint", emu.url, *flags, env=user_env(emu, tmp_path))


@pytest.fixture
def denied(gemini_emulator):
    """The built-in world where the app's service account lacks roles/aiplatform.user (and
    roles/logging.viewer), after the app's own call was refused; its owner (roles/owner) may read logs and
    policies."""
    emu = gemini_emulator("iam_permission_missing")
    with pytest.raises(Exception, match=r"aiplatform\.endpoints\.predict"):
        call(emu)
    return emu


def checks(data: dict) -> dict:
    return {c["id"]: c for c in data["checks"]}


def test_the_admin_probes_run_as_the_admin_and_the_app_probes_as_the_app(denied, tmp_path):
    without = json.loads(_check(denied, tmp_path).stdout)
    assert checks(without)["audit_logs"]["status"] == "could_not_check"
    assert "could not check (needs roles/logging.viewer" in checks(without)["audit_logs"]["summary"]
    assert "admin_credential" not in without

    done = _check(denied, tmp_path, "--admin-credentials", str(denied.credentials[OWNER]))
    data = json.loads(done.stdout)
    assert done.returncode == 1 and data["causes"][0]["id"] == "iam_permission_missing"
    assert data["admin_credential"] == {
        "kind": "authorized_user",
        "principal": OWNER,
        "source": f"--admin-credentials {denied.credentials[OWNER]}",
    }
    audit = checks(data)["audit_logs"]
    assert audit["status"] == "ok" and PREDICT in audit["summary"] and APP_SA in audit["summary"], audit
    assert any("audit log" in line for line in data["causes"][0]["evidence"])
    assert checks(data)["policy_troubleshooter"]["status"] == "ok"
    # the app's own probes still ran as the app: its token, its missing permission
    assert data["credential"]["principal"] == APP_SA and APP_SA in checks(data)["iam"]["summary"]
    assert checks(data)["admin_token"]["status"] == "ok" and OWNER in checks(data)["admin_token"]["summary"]
    assert denied.stats()["mutations"] == 0


def test_the_text_report_says_who_ran_the_admin_probes(denied, tmp_path):
    out = invoke_cli(
        "check",
        "--endpoint",
        denied.url,
        "--admin-credentials",
        str(denied.credentials[OWNER]),
        env=user_env(denied, tmp_path),
    ).stdout.decode()
    assert (
        f"Admin probes as: authorized_user (source --admin-credentials {denied.credentials[OWNER]}, "
        f"principal {OWNER})"
    ) in out
    assert "refresh_token" not in out and "1//emulated-" not in out


def test_an_admin_credential_that_gets_no_token_is_could_not_check(denied, tmp_path):
    revoked = tmp_path / "revoked.json"
    info = json.loads(denied.credentials[OWNER].read_text())
    revoked.write_text(json.dumps({**info, "refresh_token": "1//revoked", "token": None}))
    data = json.loads(_check(denied, tmp_path, "--admin-credentials", str(revoked)).stdout)
    statuses = {c["id"]: c["status"] for c in data["checks"]}
    assert statuses["admin_token"] == "could_not_check"
    assert statuses["audit_logs"] == statuses["policy_troubleshooter"] == "skipped"
    assert data["causes"][0]["id"] == "iam_permission_missing"


@pytest.mark.parametrize("content", ["not json", '{"type": "service_account"}', '{"type": "mystery"}', "[]"])
def test_a_file_google_auth_cannot_use_is_a_usage_error(tmp_path, content):
    bad = tmp_path / "admin.json"
    bad.write_text(content)
    done = invoke_cli("check", "--endpoint", "http://127.0.0.1:9", "--admin-credentials", str(bad))
    assert done.returncode == 2 and done.stdout == b""
    assert "--admin-credentials" in done.stderr.decode() and "cannot be used" in done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()


def test_a_missing_file_is_a_usage_error(tmp_path):
    done = invoke_cli("check", "--admin-credentials", str(tmp_path / "nope.json"))
    assert done.returncode == 2 and "does not exist" in done.stderr.decode()


def _signed_in(emu, home, person_file) -> dict[str, str]:
    """The shell after `source env.sh` on a machine whose gcloud login is *person_file* (its ADC file)."""
    gcloud = home / "gcloud"
    gcloud.mkdir(parents=True, exist_ok=True)
    (gcloud / "application_default_credentials.json").write_text(person_file.read_text())
    return {**user_env(emu, home), "CLOUDSDK_CONFIG": str(gcloud)}


def test_without_the_flag_the_admin_probes_run_as_the_gcloud_login(denied, tmp_path):
    env = _signed_in(denied, tmp_path, denied.credentials[OWNER])
    done = invoke_cli("check", "--format", "json", "--endpoint", denied.url, env=env)
    data = json.loads(done.stdout)
    login = tmp_path / "gcloud" / "application_default_credentials.json"
    assert data["admin_credential"] == {
        "kind": "authorized_user",
        "principal": OWNER,
        "source": f"your gcloud login ({login})",
    }
    assert checks(data)["audit_logs"]["status"] == "ok" and APP_SA in checks(data)["audit_logs"]["summary"]
    assert data["credential"]["principal"] == APP_SA and data["causes"][0]["id"] == "iam_permission_missing"
    text = invoke_cli("check", "--endpoint", denied.url, env=env).stdout.decode()
    assert f"Admin probes as: authorized_user (source your gcloud login ({login}), principal {OWNER})" in text


def test_a_gcloud_login_without_a_token_gives_way_to_the_apps_credential(denied, tmp_path):
    revoked = tmp_path / "revoked.json"
    info = json.loads(denied.credentials[OWNER].read_text())
    revoked.write_text(json.dumps({**info, "refresh_token": "1//revoked", "token": None}))
    data = json.loads(
        invoke_cli(
            "check", "--format", "json", "--endpoint", denied.url, env=_signed_in(denied, tmp_path, revoked)
        ).stdout
    )
    assert "admin_credential" not in data
    assert checks(data)["admin_token"]["status"] == "ok"
    assert "the admin probes run as the app's credential" in checks(data)["admin_token"]["summary"]
    audit = checks(data)["audit_logs"]  # run, as the app, which may not read logs
    assert audit["status"] == "could_not_check" and "roles/logging.viewer" in audit["summary"], audit


def test_fix_passes_the_admin_credential_to_its_check(gemini_emulator, tmp_path):
    """Only an admin may read the deny policy that refuses the app: with the flag, fix's own check reads it
    and prints the command that shows it; without, the grant and the Troubleshooter link."""
    world = scenario_world("iam_deny_policy")
    reviewers = ("roles/iam.securityReviewer", "roles/iam.denyReviewer", "roles/logging.viewer")
    world["projects"][0]["iam"] = [b for b in world["projects"][0]["iam"] if b["role"] not in reviewers]
    emu = gemini_emulator(world)
    with pytest.raises(Exception, match=r"aiplatform\.endpoints\.predict"):
        call(emu)
    plain = invoke_cli("fix", "--endpoint", emu.url, env=user_env(emu, tmp_path)).stdout.decode()
    admin = str(emu.credentials[OWNER])
    as_admin = invoke_cli(
        "fix", "--endpoint", emu.url, "--admin-credentials", admin, env=user_env(emu, tmp_path)
    ).stdout.decode()
    assert "gcloud iam policies get" not in plain, plain
    assert "gcloud iam policies get no-genai-for-workloads" in as_admin, as_admin
