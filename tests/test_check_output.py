"""check as a person meets it: a checklist that streams on a terminal and ends with a tally; -q, -v,
--output."""

import json
import os
import pty
import subprocess
import sys

from check_helpers import user_env
from conftest import invoke_cli, run_cli
from gemini_doctor.check import checklist, discover
from gemini_doctor.emulator.scenarios import KEY, scenario_world


def _check_env(emu, tmp_path) -> dict:
    return {**os.environ, **user_env(emu, tmp_path), "PYTHONIOENCODING": "utf-8"}


def test_on_a_terminal_each_line_comes_as_its_probe_finishes_and_a_tally_ends_it(gemini_emulator, tmp_path):
    world = scenario_world("service_disabled")
    world["faults"] = [{"path_contains": "billingInfo", "kind": "timeout"}]  # the billing probe's call hangs
    emu = gemini_emulator(world)
    env = _check_env(emu, tmp_path)
    others = [
        title
        for probe, title in checklist(discover(env, "auto", endpoint=emu.url)).items()
        if probe != "billing"
    ]
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gemini_doctor", "check", "--endpoint", emu.url, "--timeout", "60"],
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(terminal)
    seen, running_at_first_check, waiting = b"", None, True
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: the process has ended
            break
        if not chunk:
            break
        seen += chunk
        if running_at_first_check is None and "✓".encode() in seen:
            running_at_first_check = proc.poll() is None
        if waiting and all(f"{title}: ".encode() in seen for title in others):
            emu.server.stop()  # only billing's call is left: Google goes away, so it ends now, not at 60 s
            waiting = False
    proc.wait(timeout=60)
    os.close(controller)
    text = seen.decode(errors="replace")
    assert text.index("Credential:") < text.index("✓"), text
    assert running_at_first_check, "the first checklist line should show while a probe is still waiting"
    tally = [line for line in text.splitlines() if " checks: " in line]
    assert tally and "passed" in tally[-1] and "could not check" in tally[-1], text


def test_quiet_verbose_and_output(gemini_emulator, tmp_path):
    emu = gemini_emulator("service_disabled")
    env = user_env(emu, tmp_path)
    quiet = invoke_cli("check", "-q", "--endpoint", emu.url, env=env)
    assert quiet.returncode == 1 and quiet.stdout.decode().strip().count("\n") == 0
    assert "service_disabled" in quiet.stdout.decode()
    verbose = invoke_cli("check", "-v", "--format", "json", "--endpoint", emu.url, env=env)
    log = verbose.stderr.decode()
    assert json.loads(verbose.stdout)["causes"][0]["id"] == "service_disabled"
    assert f"http: POST {emu.url}" in log or f"http: GET {emu.url}" in log, log
    assert " -> 403 PERMISSION_DENIED" in log and KEY not in log and KEY[-8:] not in log
    report = tmp_path / "report.md"
    done = invoke_cli(
        "check", "--format", "markdown", "--output", str(report), "--endpoint", emu.url, env=env
    )
    assert done.stdout == b"" and report.read_text().startswith("## gemini-doctor check")
    script = invoke_cli("fix", "-q", "--endpoint", emu.url, env=env).stdout.decode()
    assert script == "gcloud services enable generativelanguage.googleapis.com --project=acme-prod\n", script


def _broken_files(tmp_path) -> dict[str, str]:
    corrupt = {
        "type": "service_account",
        "project_id": "acme-prod",
        "private_key_id": "k1",
        "client_id": "1",
        "private_key": (
            "-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
        ),
        "client_email": "app@acme-prod.iam.gserviceaccount.com",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    files = {"corrupt": json.dumps(corrupt), "truncated": '{"type": "service_acc', "missing": None}
    paths = {}
    for name, content in files.items():
        path = tmp_path / f"{name}.json"
        if content is not None:
            path.write_text(content)
            path.chmod(0o600)
        paths[name] = str(path)
    return paths


def test_a_broken_credential_file_is_named_and_the_chosen_surface_leads(tmp_path):
    for name, path in _broken_files(tmp_path).items():
        env = {
            "GOOGLE_GENAI_USE_VERTEXAI": "true",
            "GOOGLE_CLOUD_PROJECT": "acme-prod",
            "GOOGLE_APPLICATION_CREDENTIALS": path,
            "HOME": str(tmp_path),
            "CLOUDSDK_CONFIG": str(tmp_path / "gcloud"),
            "NO_GCE_CHECK": "true",
            "GEMINI_API_KEY": "",
            "GOOGLE_API_KEY": "",
        }
        result = json.loads(
            invoke_cli(
                "check", "--format", "json", "--endpoint", "http://127.0.0.1:9", "--timeout", "2", env=env
            ).stdout
        )
        traps = " ".join(t["message"] for t in result["traps"])
        assert path in traps, (name, traps)
        assert path in result["credential"]["source"], (name, result["credential"])
        text = json.dumps(result)
        assert "('" not in text and "ValueError(" not in text, (name, text)  # no raw Python tuple or repr
        fix = result["causes"][0]["fix"][0]
        assert "AI Studio" not in fix["step"] and "Vertex" in fix["step"], (name, fix)
    corrupt = json.loads(
        invoke_cli(
            "check",
            "--format",
            "json",
            "--endpoint",
            "http://127.0.0.1:9",
            "--timeout",
            "2",
            env={
                "GOOGLE_APPLICATION_CREDENTIALS": _broken_files(tmp_path)["corrupt"],
                "HOME": str(tmp_path),
                "NO_GCE_CHECK": "true",
            },
        ).stdout
    )
    assert "private_key is corrupt" in " ".join(t["message"] for t in corrupt["traps"])


def test_google_auths_raw_warnings_are_not_printed(tmp_path):
    gcloud = tmp_path / "gcloud"
    gcloud.mkdir()
    (gcloud / "application_default_credentials.json").write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com",
                "client_secret": "not-a-secret",
                "refresh_token": "1//fake-refresh-token",
            }
        )
    )
    done = run_cli(
        "check",
        "--endpoint",
        "http://127.0.0.1:9",
        "--timeout",
        "2",
        env={
            "HOME": str(tmp_path),
            "CLOUDSDK_CONFIG": str(gcloud),
            "NO_GCE_CHECK": "true",
            "GOOGLE_APPLICATION_CREDENTIALS": "",
            "GEMINI_API_KEY": "",
            "GOOGLE_API_KEY": "",
        },
    )
    err = done.stderr.decode()
    assert "UserWarning" not in err and "site-packages" not in err, err


def test_verbose_logs_the_token_refresh_too(gemini_emulator, tmp_path):
    emu = gemini_emulator("iam_permission_missing")  # a service account: google-auth fetches the token
    log = invoke_cli(
        "check", "-v", "--format", "json", "--endpoint", emu.url, env=user_env(emu, tmp_path)
    ).stderr.decode()
    assert f"http: POST {emu.url}/token (google-auth refresh) -> got a token" in log, log
    assert "ya29." not in log and "eyJ" not in log
