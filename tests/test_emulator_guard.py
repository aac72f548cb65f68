"""The emulator under hostile requests: bounded memory for huge bodies, escaped pages, no traceback for
any malformed request, correct answers afterwards, and logging that an unread stderr cannot stall."""

from __future__ import annotations

import fcntl
import logging
import os
import resource
import socket
import subprocess
import sys
import time

import httpx
import pytest

from gemini_doctor.emulator.backends import load_world
from gemini_doctor.emulator.guard import MAX_PAYLOAD
from gemini_doctor.emulator.scenarios import MODEL, OWNER, scenario_world
from gemini_doctor.emulator.server import BackgroundServer
from gemini_doctor.google.access import CLOUD_PLATFORM

G = f"/v1beta/models/{MODEL}:generateContent"
V = f"/v1/projects/acme-prod/locations/global/publishers/google/models/{MODEL}:generateContent"


@pytest.fixture(scope="module")
def emulator():
    world = scenario_world("healthy")
    with BackgroundServer(load_world(world)) as server:
        server.key = world["client"].get("api_key") or world["api_keys"][0]["key"]
        yield server


def _raw(server, data: bytes, read_timeout: float = 10) -> bytes:
    with socket.create_connection((server.host, server.port), timeout=read_timeout) as sock:
        sock.sendall(data)
        try:
            return sock.recv(65536)
        except TimeoutError:
            return b"<no answer>"


def _malformed(server) -> dict:
    base, key = server.url, server.key

    def req(method, path, **kw):
        with httpx.Client(base_url=base, timeout=10) as client:
            return client.request(method, path, **kw).status_code

    def raw(data: bytes, wait: float = 2) -> int:
        answer = _raw(server, data, wait)
        return int(answer.split(b" ")[1]) if answer.startswith(b"HTTP/1.1") else 0

    H = {"x-goog-api-key": key}
    J = {"content-type": "application/json", **H}

    cases = {
        "bad json": lambda: req("POST", G, headers=J, content=b"{not json"),
        "json array": lambda: req("POST", G, headers=J, content=b"[1,2]"),
        "json string": lambda: req("POST", G, headers=J, content=b'"x"'),
        "json number": lambda: req("POST", G, headers=J, content=b"42"),
        "json null": lambda: req("POST", G, headers=J, content=b"null"),
        "empty body": lambda: req("POST", G, headers=J, content=b""),
        "contents string": lambda: req("POST", G, headers=J, json={"contents": "hi"}),
        "contents list of str": lambda: req("POST", G, headers=J, json={"contents": ["hi"]}),
        "contents list of int": lambda: req("POST", G, headers=J, json={"contents": [1]}),
        "parts not list": lambda: req("POST", G, headers=J, json={"contents": [{"parts": "x"}]}),
        "parts of null": lambda: req("POST", G, headers=J, json={"contents": [{"parts": [None]}]}),
        "generationConfig list": lambda: req(
            "POST", G, headers=J, json={"contents": [{"parts": [{"text": "x"}]}], "generationConfig": []}
        ),
        "safetySettings str": lambda: req(
            "POST", G, headers=J, json={"contents": [{"parts": [{"text": "x"}]}], "safetySettings": "x"}
        ),
        "safetySettings items": lambda: req(
            "POST",
            G,
            headers=J,
            json={"contents": [{"parts": [{"text": "x"}]}], "safetySettings": [1, "a", None]},
        ),
        "deep json": lambda: req("POST", G, headers=J, content=b"[" * 100000 + b"]" * 100000),
        "NaN json": lambda: req("POST", G, headers=J, content=b'{"contents": NaN}'),
        "bad utf8": lambda: req("POST", G, headers=J, content=b'{"contents": "\xff\xfe"}'),
        "utf16 body": lambda: req("POST", G, headers=J, content='{"contents": []}'.encode("utf-16")),
        "lone surrogate": lambda: req(
            "POST", G, headers=J, content=b'{"contents": [{"parts": [{"text": "\\ud800"}]}]}'
        ),
        "huge int": lambda: req(
            "POST",
            G,
            headers=J,
            content=b'{"contents": [], "generationConfig": {"maxOutputTokens": 1' + b"0" * 5000 + b"}}",
        ),
        "wrong content-type": lambda: req(
            "POST", G, headers={**H, "content-type": "text/plain"}, content=b"hello"
        ),
        "form body": lambda: req("POST", G, headers=H, data={"a": "b"}),
        "bad method path": lambda: req("DELETE", G, headers=H),
        "path traversal": lambda: req("GET", "/v1beta/models/../../etc/passwd", headers=H),
        "encoded slash": lambda: req("GET", "/v1beta/models/gemini%2F..%2F:generateContent", headers=H),
        "model empty": lambda: req("POST", "/v1beta/models/:generateContent", headers=J, json={}),
        "unknown verb": lambda: req("POST", "/v1beta/models/gemini-2.5-flash:explode", headers=J, json={}),
        "no colon": lambda: req("POST", "/v1beta/models/gemini-2.5-flash", headers=J, json={}),
        "bad version": lambda: req("GET", "/v9zz/models", headers=H),
        "key in query bad": lambda: req("GET", "/v1beta/models?key=%ff%fe", headers={}),
        "query junk": lambda: req("GET", "/v1beta/models?pageSize=abc&pageToken=%00", headers=H),
        "query pageSize neg": lambda: req("GET", "/v1beta/models?pageSize=-5", headers=H),
        "query huge": lambda: req("GET", "/v1beta/models?" + "a=b&" * 5000, headers=H),
        "bad auth header": lambda: req(
            "POST", V, headers={"authorization": "Bearer", "content-type": "application/json"}, json={}
        ),
        "auth junk": lambda: raw(
            b"POST "
            + V.encode()
            + b" HTTP/1.1\r\nHost: x\r\nAuthorization: Basic \xff\xfe\r\ncontent-length: 2\r\n\r\n{}"
        ),
        "vertex bad location": lambda: req(
            "POST",
            "/v1/projects/acme-prod/locations/%00/publishers/google/models/x:generateContent",
            headers=J,
            json={},
        ),
        "vertex project number huge": lambda: req(
            "POST",
            "/v1/projects/" + "9" * 400 + "/locations/global/publishers/google/models/x:generateContent",
            headers=J,
            json={},
        ),
        "token bad form": lambda: req(
            "POST",
            "/token",
            content=b"grant_type=%ZZ&&&",
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        "token json": lambda: req("POST", "/token", json={"grant_type": 5}),
        "token jwt junk": lambda: req(
            "POST",
            "/token",
            data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "a.b.c"},
        ),
        "token jwt bad b64": lambda: req(
            "POST",
            "/token",
            data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "eyJ!!!.eyJ.x"},
        ),
        "token refresh missing": lambda: req("POST", "/token", data={"grant_type": "refresh_token"}),
        "tokeninfo junk": lambda: req("GET", "/tokeninfo?access_token=%00%ff"),
        "tokeninfo id_token": lambda: req("GET", "/tokeninfo?id_token=a.b.c"),
        "iam bad json": lambda: req(
            "POST",
            "/v1/projects/acme-prod:setIamPolicy",
            headers={"authorization": "Bearer x", "content-type": "application/json"},
            content=b"{",
        ),
        "iam policy wrong type": lambda: req(
            "POST",
            "/v1/projects/acme-prod:setIamPolicy",
            headers={"authorization": "Bearer x"},
            json={"policy": "x"},
        ),
        "serviceusage bad": lambda: req(
            "POST",
            "/v1/projects/acme-prod/services/x:enable",
            headers={"authorization": "Bearer x"},
            content=b"]",
        ),
        "iamcredentials bad": lambda: req(
            "POST",
            "/v1/projects/-/serviceAccounts/a:generateAccessToken",
            headers={"authorization": "Bearer x"},
            json={"scope": 5},
        ),
        "apikeys lookup nokey": lambda: req(
            "GET", "/v2/keys:lookupKey", headers={"authorization": "Bearer x"}
        ),
        "metadata junk": lambda: req(
            "GET",
            "/computeMetadata/v1/instance/service-accounts/%00/token",
            headers={"Metadata-Flavor": "Google"},
        ),
        "content-length lies": lambda: raw(  # the body never ends: no answer comes within any wait
            b"POST "
            + G.encode()
            + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nx-goog-api-key: "
            + key.encode()
            + b"\r\n\r\n{}",
            wait=0.2,
        ),
        "negative content-length": lambda: raw(
            b"POST " + G.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"
        ),
        "bad header bytes": lambda: raw(
            b"GET /v1beta/models HTTP/1.1\r\nHost: x\r\nX-\xff: \x00\x01\r\n\r\n"
        ),
        "header no colon": lambda: raw(b"GET /v1beta/models HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n"),
        "bad request line": lambda: raw(b"GARBAGE\r\n\r\n"),
        "http/0.9": lambda: raw(b"GET /\r\n\r\n"),
        "huge header": lambda: raw(
            b"GET /v1beta/models HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 200000 + b"\r\n\r\n"
        ),
        "chunked bad": lambda: raw(
            b"POST " + G.encode() + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n"
        ),
        "xss edge path": lambda: req("GET", "/v1beta/models/<script>alert(1)</script>"),
    }
    return cases


def test_malformed_requests_get_answers_not_tracebacks(emulator, caplog):
    caplog.set_level(logging.WARNING)
    statuses = {name: call() for name, call in _malformed(emulator).items()}
    assert len(statuses) >= 47
    assert {name: s for name, s in statuses.items() if s >= 500} == {}
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    with httpx.Client(base_url=emulator.url) as client:
        good = client.post(
            G, headers={"x-goog-api-key": emulator.key}, json={"contents": [{"parts": [{"text": "hi"}]}]}
        )
    assert good.status_code == 200 and good.json()["candidates"]


def test_an_800_mib_body_is_refused_unread(emulator):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    head = (
        f"POST {G} HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
        f"x-goog-api-key: {emulator.key}\r\ncontent-length: {800 << 20}\r\n\r\n"
    ).encode()
    with socket.create_connection((emulator.host, emulator.port), timeout=10) as sock:
        sock.sendall(head)
        sent, chunk = 0, b"x" * (1 << 20)
        try:
            while sent < 64 << 20:  # keep sending until the server stops listening
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413") and b"too large" in answer
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 << 10  # KiB: under 100 MiB more


def test_a_chunked_body_over_the_limit_is_stopped_as_it_comes(emulator):
    head = (
        f"POST {G} HTTP/1.1\r\nHost: x\r\nx-goog-api-key: {emulator.key}\r\n"
        "transfer-encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"%x\r\n" % (1 << 20) + b"x" * (1 << 20) + b"\r\n"
    with socket.create_connection((emulator.host, emulator.port), timeout=10) as sock:
        sock.sendall(head)
        try:
            for _ in range(40):
                sock.sendall(chunk)
        except OSError:
            pass
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400") and f"exceeds the limit: {MAX_PAYLOAD} bytes".encode() in answer


def test_the_html_403_page_escapes_the_path(emulator):
    world = scenario_world("healthy")
    world["edge_blocked"] = True
    with BackgroundServer(load_world(world)) as server, httpx.Client(base_url=server.url) as client:
        page = client.get("/v1beta/models/%3Cscript%3Ealert(1)%3C%2Fscript%3E").text
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_an_unread_stderr_does_not_stop_the_cli_emulator():
    """Thousands of logged bad requests with nobody reading stderr: the emulator still answers."""
    child = subprocess.Popen(
        [sys.executable, "-m", "gemini_doctor", "emulate", "--scenario", "healthy", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        # the pipe made as small as the system allows (a page; Linux), so fewer requests fill it
        pipe = (
            fcntl.fcntl(child.stderr, fcntl.F_SETPIPE_SZ, 4096) if hasattr(fcntl, "F_SETPIPE_SZ") else 1 << 16
        )
        url = child.stdout.readline().decode().split()[-1]
        host, port = url.removeprefix("http://").split(":")
        for _ in range(pipe // 10):  # each one a warning (31 bytes) on stderr: far more than the pipe holds
            with socket.create_connection((host, int(port)), timeout=10) as sock:
                sock.sendall(b"GARBAGE\r\n\r\n")
                sock.recv(1024)
        start = time.monotonic()
        assert httpx.get(f"{url}/v1beta/models", timeout=10).status_code in (200, 401, 403)
        assert time.monotonic() - start < 10
    finally:
        child.terminate()
        child.wait(timeout=30)


@pytest.mark.parametrize(
    ("path", "body", "field", "type_name"),
    [
        (G, {"contents": "hi"}, "contents", "google.ai.generativelanguage.v1beta.Content"),
        (G, {"contents": [{"parts": "x"}]}, "contents[0].parts", "google.ai.generativelanguage.v1beta.Part"),
        (
            G,
            {"contents": [], "generationConfig": []},
            "generationConfig",
            "google.ai.generativelanguage.v1beta.GenerationConfig",
        ),
        (V, {"contents": [1]}, "contents[0]", "google.cloud.aiplatform.v1.Content"),
    ],
)
def test_fields_of_the_wrong_type_get_googles_invalid_value(emulator, path, body, field, type_name):
    with httpx.Client(base_url=emulator.url) as client:
        reply = client.post(
            path, headers={"x-goog-api-key": emulator.key, "authorization": "Bearer x"}, json=body
        )
    error = reply.json()["error"]
    assert reply.status_code == 400 and error["status"] == "INVALID_ARGUMENT"
    assert error["message"].startswith(f"Invalid value at '{field}' (type.googleapis.com/{type_name}), ")
    assert error["details"][0]["fieldViolations"][0]["field"] == field


def test_api_keys_answers_malformed_restrictions_and_pages_without_a_traceback(emulator, caplog):
    """keys.create/patch/list with shapes Google's proto would refuse: 400 INVALID_ARGUMENT, never a 500."""
    caplog.set_level(logging.WARNING)
    token = emulator.oauth.issue(OWNER, {CLOUD_PLATFORM})
    keys = "/v2/projects/acme-prod/locations/global/keys"
    with httpx.Client(base_url=emulator.url, headers={"authorization": f"Bearer {token}"}) as client:
        refused = [
            client.post(keys, json={"restrictions": {"apiTargets": "x"}}),
            client.post(keys, json={"restrictions": {"apiTargets": [{"methods": ["m"]}]}}),
            client.post(
                keys,
                json={
                    "restrictions": {
                        "apiTargets": [{"service": "generativelanguage.googleapis.com", "methods": "m"}]
                    }
                },
            ),
            client.post(keys, json={"restrictions": {"serverKeyRestrictions": {"allowedIps": "10.0.0.1"}}}),
            client.post(keys, params={"keyId": "Bad_ID"}, json={}),
            client.post(keys, json={"restrictions": []}),
            client.patch(
                f"{keys}/k1", params={"updateMask": "restrictions.api_targets"}, json={"restrictions": []}
            ),
            client.patch(
                f"{keys}/k1", json={"restrictions": {"androidKeyRestrictions": {"allowedApplications": 5}}}
            ),
        ]
        listed = client.get(keys, params={"pageSize": "-5", "pageToken": "zz", "showDeleted": "maybe"})
    assert [r.status_code for r in refused] == [400] * 8
    assert {r.json()["error"]["status"] for r in refused} == {"INVALID_ARGUMENT"}
    assert listed.status_code == 200 and [k["name"].rsplit("/", 1)[1] for k in listed.json()["keys"]] == [
        "k1"
    ]
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
