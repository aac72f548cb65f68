"""check and fix --apply against fake Googles that echo requests, drop fields, send wrong types,
redirect, reset, answer garbage or 100 MB, or never answer: no secret and no traceback in any
output, exit 3 where nothing could be decided, bounded memory."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time

import pytest

from conftest import invoke_cli
from fake_google import FakeGoogle, Request, answering, send
from gemini_doctor.probes.transport import Reply
from gemini_doctor.remedies import RemedyDenied, _enable, _read_policy

ACCESS_TOKEN = "ya29.c.SECRET-access-token-that-must-never-show-0123456789abcdef"
REFRESH_TOKEN = "1//0gSECRET-refresh-token-that-must-never-show-0123456789"
API_KEY = "AIzaSyD-SECRET-api-key-never-shown-0123"  # 39 characters, like a real one
SECRETS = (ACCESS_TOKEN, REFRESH_TOKEN, API_KEY, "SECRET-access", "SECRET-refresh", "SECRET-api")


def _env(tmp_path, adc: bool) -> dict[str, str]:
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "NO_GCE_CHECK": "true",
        "CLOUDSDK_CONFIG": str(tmp_path / "gcloud"),
        "PYTHONIOENCODING": "utf-8",
    }
    for name in (
        "GOOGLE_API_KEY",
        "GEMINI_API_KEY",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GOOGLE_CLOUD_PROJECT",
        "GOOGLE_GENAI_USE_VERTEXAI",
        "GEMINI_DOCTOR_ENDPOINT",
    ):
        env.pop(name, None)
    if adc:
        path = tmp_path / "adc.json"
        path.write_text(
            json.dumps(
                {
                    "type": "authorized_user",
                    "client_id": "id.apps.googleusercontent.com",
                    "client_secret": "GOCSPX-secretsecret",
                    "refresh_token": REFRESH_TOKEN,
                    "quota_project_id": "acme-prod",
                }
            )
        )
        env.update(GOOGLE_APPLICATION_CREDENTIALS=str(path), GOOGLE_CLOUD_PROJECT="acme-prod")
    else:
        env["GEMINI_API_KEY"] = API_KEY
    return env


# Runs the CLI and, at exit, writes its own peak resident size (KiB, from the kernel) on stderr.
_MEASURED = (
    "import atexit, resource, runpy, sys; atexit.register(lambda: sys.stderr.write("
    "'PEAK_KIB %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)); "
    "sys.argv[0] = 'gemini-doctor'; runpy.run_module('gemini_doctor', run_name='__main__')"
)


def _run(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one CLI run (in this process: see conftest.invoke_cli)."""
    done = invoke_cli(*args, env=env)
    return done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")


def _run_measured(args: list[str], env: dict[str, str], timeout: float = 90) -> tuple[int, str, str, int]:
    """Exit code, stdout, stderr and peak resident KiB of one CLI run, in a process of its own."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    err = done.stderr.decode("utf-8", "replace")
    err, _, peak = err.rpartition("PEAK_KIB ")
    return done.returncode, done.stdout.decode("utf-8", "replace"), err, int(peak or 0)


def _token_then(behave):
    """The token endpoint answers with an access token; every other request goes to *behave*."""

    def routed(request: Request, sock: socket.socket):
        if request.path.startswith("/token"):
            return send(sock, 200, {"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"})
        return behave(request, sock)

    return routed


def _echo(request: Request, sock: socket.socket) -> None:
    """A gateway that repeats the whole request, headers and all, in its error message."""
    send(
        sock,
        403,
        {"error": {"code": 403, "status": "PERMISSION_DENIED", "message": f"denied: {request.raw}"}},
    )


def _assert_clean(code: int, out: str, err: str, codes=(0, 1, 3)) -> None:
    assert "Traceback" not in err and "Traceback" not in out, err[-2000:]
    assert code in codes, (code, out[-1000:], err[-1000:])
    for secret in SECRETS:
        assert secret not in out and secret not in err, f"{secret} leaked"
    assert "\x1b" not in out


@pytest.mark.parametrize("surface,adc", [("vertex", True), ("gemini-api", False)])
def test_check_against_an_echoing_gateway_shows_no_secret(surface, adc, tmp_path):
    with FakeGoogle(_token_then(_echo)) as google:
        for fmt in ("text", "json", "markdown"):
            _assert_clean(
                *_run(
                    [
                        "check",
                        "--surface",
                        surface,
                        "--endpoint",
                        google.url,
                        "--timeout",
                        "5",
                        "--format",
                        fmt,
                    ],
                    _env(tmp_path, adc),
                )
            )


WRONG_SHAPES = [
    [],
    "text",
    None,
    7,
    {"error": "x"},
    {"error": {"details": "x", "message": ["m"], "code": "403"}},
    {
        "projectId": {"a": 1},
        "name": 5,
        "state": [],
        "restrictions": "x",
        "launchStage": 3,
        "email": ["x"],
        "permissions": "aiplatform.endpoints.predict",
        "billingEnabled": "yes",
        "scope": 5,
        "parent": ["p"],
    },
]


@pytest.mark.parametrize("body", WRONG_SHAPES, ids=range(len(WRONG_SHAPES)))
def test_answers_with_missing_fields_and_wrong_types(body, tmp_path):
    with FakeGoogle(_token_then(answering(200, json.dumps(body)))) as google:
        _assert_clean(
            *_run(
                ["check", "--surface", "vertex", "--endpoint", google.url, "--timeout", "5"],
                _env(tmp_path, True),
            )
        )


def _reset(request: Request, sock: socket.socket) -> str:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    return "close"


def _garbage(request: Request, sock: socket.socket) -> str:
    sock.sendall(b"\x00\xff\x1b[2J not HTTP at all \r\n\r\n")
    return "close"


def _redirect(request: Request, sock: socket.socket) -> None:
    send(sock, 307, "", {"location": "http://127.0.0.1:9/elsewhere"})


def _silent(request: Request, sock: socket.socket) -> None:
    time.sleep(30)


@pytest.mark.parametrize(
    "behave", [_reset, _garbage, _redirect, _silent], ids=lambda b: b.__name__.strip("_")
)
@pytest.mark.parametrize("adc", [True, False], ids=["adc", "key"])
def test_nothing_decided_means_exit_3_and_a_plain_reason(behave, adc, tmp_path):
    wrapped = _token_then(behave) if behave is _redirect else behave
    surface = (
        ["--surface", "vertex"] if adc else []
    )  # where the app's calls use ADC (without it, no key: decided offline)
    timeout = "0.2" if behave is _silent else "1"  # all that a silent Google holds is waited for
    with FakeGoogle(wrapped) as google:
        for args in (["check"], ["fix", "--apply", "--yes", "--wait", "0"]):
            # google-auth's token refresh is bounded by --timeout too:
            # a silent token endpoint no longer holds the run
            code, out, err = _run(
                [*args, *surface, "--endpoint", google.url, "--timeout", timeout], _env(tmp_path, adc)
            )
            # (behind the redirect, the fake's /tokeninfo answers a token with no scope: a finding, so 1 may
            # be right)
            _assert_clean(code, out, err, codes=(1, 3) if behave is _redirect else (3,))


def _huge(request: Request, sock: socket.socket) -> str:
    size = 100 << 20
    sock.sendall(
        f"HTTP/1.1 403 X\r\ncontent-type: application/json\r\ncontent-length: {size}\r\n\r\n".encode()
        + b'{"error": {"message": "'
    )
    chunk = b"x" * (1 << 20)
    try:
        for _ in range(100):
            sock.sendall(chunk)
    except OSError:
        pass
    return "close"


def test_100_mb_answers_keep_memory_bounded(tmp_path):
    """Measured against the same check on ordinary answers, in the same conditions: alone on this machine
    that is 57 MB, and 67 MB with 100 MB answers (the answers are cut at 1 MiB, so they never land whole)."""
    args = ["check", "--surface", "vertex", "--timeout", "20", "--endpoint"]
    with FakeGoogle(_token_then(_echo)) as google:
        *_, ordinary_kib = _run_measured([*args, google.url], _env(tmp_path, True))
    with FakeGoogle(_token_then(_huge)) as google:
        code, out, err, peak_kib = _run_measured([*args, google.url], _env(tmp_path, True))
    _assert_clean(code, out, err)
    assert "far too long" in out
    assert 0 < peak_kib < ordinary_kib + 32 * 1024, (
        f"peak resident {peak_kib} KiB, {ordinary_kib} KiB on ordinary answers"
    )


class _Http:
    """A GoogleHttp that answers from a list."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)

    async def call(self, *args, **kwargs) -> Reply:
        return self.replies.pop(0)


def test_an_enable_answer_without_an_operation_name_ends_cleanly():
    remedy = _enable("acme-prod", "aiplatform.googleapis.com")
    said = asyncio.run(remedy.apply(_Http(Reply(200, {"done": False}, "")), "token"))
    assert "named no operation" in said
    said = asyncio.run(
        remedy.apply(_Http(Reply(200, {"name": "../../v1/projects/x:setIamPolicy"}, "")), "token")
    )
    assert "named no operation" in said  # a name that is not an operation's is never followed


@pytest.mark.parametrize(
    "policy",
    [
        {"bindings": "x"},
        {"bindings": [7]},
        {"bindings": [{"role": 1}]},
        {"bindings": [{"role": "r", "members": "user:a@b.c"}]},
    ],
)
def test_a_policy_that_cannot_be_read_is_never_written_back(policy):
    with pytest.raises(RemedyDenied, match="could not be read"):
        asyncio.run(_read_policy(_Http(Reply(200, policy, "")), "token", "acme-prod"))


def test_a_silent_token_endpoint_ends_the_refresh_at_its_timeout():
    """google-auth passes no timeout of its own: the refresh's transport bounds every request."""
    from google.auth.exceptions import TransportError
    from google.oauth2.credentials import Credentials

    from gemini_doctor.probes.auth import refresh

    with socket.create_server(
        ("127.0.0.1", 0)
    ) as listening:  # connections wait in the backlog, never answered
        credentials = Credentials(
            None,
            refresh_token=REFRESH_TOKEN,
            client_id="c",
            client_secret="s",
            token_uri=f"http://127.0.0.1:{listening.getsockname()[1]}/token",
        )
        with pytest.raises(TransportError, match="timed out"):
            refresh(credentials, trust_env=False, timeout=0.2)
