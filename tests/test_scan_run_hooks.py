"""scan (logs), run -- (programs), install()/diagnosing() (exception notes)."""

import json
import signal
import subprocess
import sys
import textwrap

import pytest

from conftest import invoke_cli, run_cli
from gemini_doctor.scan import Scanner

KEY = "AIza" + "SyCANARYscanKeyDoNotPrint012345678901"[:35]
DENIED = (
    '{"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "The caller does not have '
    'permission"}}'
)
LOG = (
    "\n".join(
        [
            "2025-06-01T10:00:00Z INFO started",
            f"2025-06-01T10:00:01Z ERROR key={KEY} google.genai.errors.ClientError: 400 INVALID_ARGUMENT. "
            "{'error': {'code': 400, 'message': 'API key not valid. Please pass a valid API key.', "
            "'status': 'INVALID_ARGUMENT'}}",
            '{"timestamp": "2025-06-01T10:05:00Z", "msg": "gemini-3-pro-preview: '
            + DENIED.replace('"', '\\"')
            + ' models/gemini-3-pro-preview"}',
            '{"timestamp": "2025-06-01T10:05:01Z", "msg": "gemini-3-pro-preview: '
            + DENIED.replace('"', '\\"')
            + ' models/gemini-3-pro-preview"}',
            '{"timestamp": "2025-06-01T10:05:02Z", "msg": "gemini-3-pro-preview: '
            + DENIED.replace('"', '\\"')
            + ' models/gemini-3-pro-preview"}',
            "2025-06-01T10:06:00Z WARN cache service UNAVAILABLE, retrying",  # not Google's: must not count
            "2025-06-01T10:07:00Z ERROR request failed: {",
            '  "error": {',
            '    "code": 403,',
            (
                '    "message": "Generative Language API has not been used in project 12 before or it is '
                'disabled.",'
            ),
            '    "status": "PERMISSION_DENIED"',
            "  }",
            "}",
            "2025-06-01T10:08:00Z INFO done",
        ]
    )
    + "\n"
)


def test_scan_groups_by_cause_with_times_and_incident_flag(tmp_path):
    log = tmp_path / "app.log"
    log.write_text(LOG)
    done = invoke_cli("scan", "--format", "json", str(log))
    assert done.returncode == 1
    report = json.loads(done.stdout)
    groups = {g["cause"]: g for g in report["groups"]}
    assert set(groups) == {"api_key_invalid", "model_access_restricted", "service_disabled"}
    denied = groups["model_access_restricted"]
    assert (
        denied["count"] == 3
        and denied["first_seen"] == "2025-06-01T10:05:00Z"
        and denied["last_seen"] == "2025-06-01T10:05:02Z"
    )
    assert denied["models"] == {"gemini-3-pro-preview": 3} and "incident" in denied
    assert groups["service_disabled"]["first_line"] == 7
    assert KEY not in done.stdout.decode()


def test_scan_is_the_same_whatever_the_chunking():
    whole = Scanner()
    whole.feed(LOG.encode())
    whole.finish()
    bytewise = Scanner()
    for i in range(0, len(LOG), 7):
        bytewise.feed(LOG.encode()[i : i + 7])
    bytewise.finish()
    assert whole.to_dict() == bytewise.to_dict()


def test_scan_stdin_nothing_found_and_missing_file(tmp_path):
    assert invoke_cli("scan", input="all quiet\n").returncode == 0
    assert invoke_cli("scan", str(tmp_path / "nope.log")).returncode == 2


def test_a_plain_scan_skips_click_and_reports_as_the_click_command_does(tmp_path):
    """A plain `scan FILE --format json` runs without importing click (start-up is part of scan's
    speed); with --output it goes through click: the report is the same but for its timing."""
    log, out = tmp_path / "app.log", tmp_path / "report.json"
    log.write_text(LOG)
    code = textwrap.dedent(
        f"""
        import sys
        from gemini_doctor.cli.main import main
        sys.argv = ["gemini-doctor", "scan", {str(log)!r}, "--format", "json"]
        try:
            main()
        finally:
            sys.stderr.write("click imported" if "click" in sys.modules else "no click")
        """
    )
    plain = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert plain.returncode == 1 and plain.stderr.decode().endswith("no click")
    via_click = invoke_cli("scan", str(log), "--format", "json", "--output", str(out))
    assert via_click.returncode == 1
    reports = [json.loads(text) for text in (plain.stdout, out.read_text())]
    for report in reports:
        report.pop("seconds")
    assert reports[0] == reports[1] and reports[0]["groups"]


def _child(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def test_run_passes_bytes_and_exit_code_through_then_explains(tmp_path):
    payload = bytes(range(256)) * 64
    script = f"""
        import sys
        sys.stdout.buffer.write({payload!r}); sys.stdout.flush()
        sys.stderr.write({LOG.splitlines()[1]!r} + "\\n")
        sys.exit(7)
    """
    done = subprocess.run(
        [sys.executable, "-m", "gemini_doctor", "run", "--", *_child(script)], capture_output=True
    )
    assert done.returncode == 7
    assert done.stdout == payload
    assert done.stderr.startswith(LOG.splitlines()[1].encode())
    assert b"api_key_invalid" in done.stderr and KEY.encode() not in done.stderr[len(LOG.splitlines()[1]) :]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_run_ends_the_way_the_child_ended(signum):
    script = f"import os, signal; print('bye', flush=True); os.kill(os.getpid(), {int(signum)})"
    done = subprocess.run(
        [sys.executable, "-m", "gemini_doctor", "run", "--", *_child(script)], capture_output=True
    )
    assert done.returncode == -signum and done.stdout == b"bye\n"


def test_run_forwards_a_signal_to_the_child():
    script = (
        "import signal, sys, time\nsignal.signal(signal.SIGTERM, lambda *a: sys.exit(42))\n"
        "print('ready', flush=True)\ntime.sleep(30)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "gemini_doctor", "run", "--", *_child(script)], stdout=subprocess.PIPE
    )
    assert proc.stdout.readline() == b"ready\n"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 42


def test_run_missing_program():
    assert run_cli("run", "--", "no-such-program-here").returncode == 127


HOOK_SCRIPT = """
    import gemini_doctor
    from google.genai import errors
    message = "Your API key was reported as leaked. Please use another API key. key=%s"
    body = {"error": {"code": 403, "status": "PERMISSION_DENIED", "message": message}}
    %s
"""


@pytest.mark.parametrize("mode", ["install", "diagnosing"])
def test_notes_on_google_errors_in_tracebacks(mode):
    raise_it = "raise errors.ClientError(403, body)"
    body = (
        "gemini_doctor.install()\n    " + raise_it
        if mode == "install"
        else "with gemini_doctor.diagnosing():\n        " + raise_it
    )
    done = subprocess.run(_child(HOOK_SCRIPT % (KEY, body)), capture_output=True, text=True)
    assert done.returncode == 1
    assert (
        "gemini-doctor: Google blocked the key because it was found in public [api_key_leaked" in done.stderr
    )
    assert done.stderr.count(KEY) == 1  # the user's own message keeps it; our note never adds it


def test_other_errors_get_no_note():
    done = subprocess.run(
        _child("import gemini_doctor\ngemini_doctor.install()\nraise ValueError('API key not valid')"),
        capture_output=True,
        text=True,
    )
    assert "gemini-doctor:" not in done.stderr and "ValueError" in done.stderr


IPYTHON_SCRIPT = """
    import io, contextlib
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance(colors="nocolor")
    {before}
    import gemini_doctor
    gemini_doctor.install()
    cell = '''
    from google.genai import errors
    raise errors.ClientError(403, {{"error": {{"code": 403, "status": "PERMISSION_DENIED",
        "message": "Your API key was reported as leaked. Please use another API key."}}}})
    '''
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        shell.run_cell(cell)
        shell.run_cell("raise ValueError('API key not valid')")
    print(out.getvalue())
"""


@pytest.mark.parametrize("users_handler", [False, True])
def test_install_in_ipython_notes_google_errors_and_keeps_a_users_handler(users_handler):
    pytest.importorskip("IPython")
    before = (
        "shell.set_custom_exc((Exception,), lambda self, *exc, **kw: print('USER HANDLER'))"
        if users_handler
        else ""
    )
    done = subprocess.run(
        _child(IPYTHON_SCRIPT.format(before=before)), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    if users_handler:
        assert done.stdout.count("USER HANDLER") == 2 and "gemini-doctor:" not in done.stdout
    else:
        assert done.stdout.count("gemini-doctor: Google blocked the key") == 1 and "ValueError" in done.stdout
