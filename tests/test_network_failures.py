"""When Google cannot be reached, check names the host and the kind of failure, never a bare exception
name."""

import json
import socket
import ssl

import httpx

from conftest import invoke_cli
from gemini_doctor.probes.failures import describe_failure, failure_kind, proxy_in_use

KEY = "AIzaSyD-emulated-key-000000000000000000"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_refused_connection_names_the_host_and_says_refused():
    port = _closed_port()
    done = invoke_cli(
        "check",
        "--format",
        "json",
        "--endpoint",
        f"http://127.0.0.1:{port}",
        "--timeout",
        "3",
        env={"GEMINI_API_KEY": KEY},
    )
    summaries = [c["summary"] for c in json.loads(done.stdout)["checks"] if c["status"] == "could_not_check"]
    assert summaries and all(f"127.0.0.1:{port}" in s and "refused" in s for s in summaries), summaries
    assert not any("ConnectError" in s for s in summaries)


def _raised_from(outer: Exception, inner: BaseException) -> Exception:
    try:
        try:
            raise inner
        except BaseException as cause:
            raise outer from cause
    except Exception as exc:  # noqa: BLE001 - hands back whatever was raised, for the test to inspect
        return exc


def test_each_kind_of_failure_is_told_apart():
    cases = {
        "dns": socket.gaierror(-2, "Name or service not known"),
        "tls": ssl.SSLCertVerificationError(
            "certificate verify failed: self-signed certificate in certificate chain"
        ),
        "refused": ConnectionRefusedError(111, "Connection refused"),
        "reset": ConnectionResetError(104, "Connection reset by peer"),
        "timeout": httpx.ConnectTimeout("timed out"),
        "proxy": httpx.ProxyError("502 Bad Gateway from proxy"),
    }
    for kind, inner in cases.items():
        assert failure_kind(_raised_from(httpx.ConnectError("failed"), inner)) == kind, kind


def test_the_proxy_from_https_proxy_is_named_without_its_password():
    proxy = proxy_in_use({"HTTPS_PROXY": "http://user:s3cret@proxy.corp:3128"})
    assert proxy == "http://proxy.corp:3128"
    line = describe_failure(httpx.ConnectError("failed"), "aiplatform.googleapis.com", proxy)
    assert "proxy.corp:3128" in line and "HTTPS_PROXY" in line and "s3cret" not in line
    dns = describe_failure(
        _raised_from(httpx.ConnectError("x"), socket.gaierror(-2, "Name or service not known")),
        "generativelanguage.googleapis.com",
        None,
    )
    assert "generativelanguage.googleapis.com" in dns and "DNS" in dns
