"""Bad input never crashes: a clear message or `unknown`, never a traceback."""

import json
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import invoke_cli
from gemini_doctor import explain


def _assert_clean(done, codes):
    err = done.stderr.decode()
    assert "Traceback" not in err, err
    assert done.returncode in codes, (done.returncode, err)


def test_empty_input_is_a_usage_error():
    done = invoke_cli("explain", input=b"")
    _assert_clean(done, {2})
    assert "empty" in done.stderr.decode()


def test_binary_input_is_refused_not_echoed():
    for data in (os.urandom(4096) + b"\x00\xff\xfe", bytes(range(1, 32)) * 60):  # e.g. `head -c 2000 /bin/ls`
        done = invoke_cli("explain", input=data)
        _assert_clean(done, {2})
        assert done.stdout == b"" and "binary" in done.stderr.decode()


def test_invalid_utf8_around_an_error():
    done = invoke_cli(
        "explain", input=b"\xff\xfe\xc3(" + b"User location is not supported for the API use." + b"\x80"
    )
    _assert_clean(done, {0})
    assert "location_unsupported" in done.stdout.decode()


def test_larger_than_one_mib_is_refused_clearly():
    done = invoke_cli("explain", input=b"x" * ((1 << 20) + 10))
    _assert_clean(done, {2})
    assert "1 MiB" in done.stderr.decode()


def test_one_mib_of_noise_and_a_long_line():
    _assert_clean(invoke_cli("explain", input=(b"noise " * 170_000)[: 1 << 20]), {0, 3})
    _assert_clean(invoke_cli("explain", input=b"a" * 100_000), {3})


def test_deeply_nested_json():
    assert explain("[" * 100_000 + "]" * 100_000).causes
    assert explain('{"error":' * 5000 + "1" + "}" * 5000).causes
    assert explain("{'error': " * 3000).causes


def test_missing_file_and_bad_batch_lines(tmp_path):
    _assert_clean(invoke_cli("explain", str(tmp_path / "nope.txt")), {2})
    batch = tmp_path / "b.jsonl"
    batch.write_bytes(
        b'\xef\xbb\xbf{"id": 1, "error_text": "API key expired"}\nnot json\n{"error_text": 5}\n\xff\n'
        b'{"id": "\\udc80", "error_text": "\\ud800 403 PERMISSION_DENIED \\udfff"}\n'
    )
    done = invoke_cli("explain", "--batch", str(batch), "--format", "json")
    _assert_clean(done, {2})
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert lines[0]["id"] == 1 and lines[0]["causes"][0]["id"] == "api_key_expired"  # after a UTF-8 BOM
    assert [line.get("line") for line in lines[1:4]] == [2, 3, 4]
    assert (
        lines[4]["id"] == "\udc80" and lines[4]["parsed"]["status"] == "PERMISSION_DENIED"
    )  # lone surrogates


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=3000)
    | st.binary(max_size=3000).map(lambda b: b.decode("latin-1"))
    | st.text(st.characters(min_codepoint=0xD7F0, max_codepoint=0xE010), max_size=50)
)  # lone surrogates
def test_any_text_gives_a_diagnosis(text):
    result = explain(text).to_dict()
    assert result["causes"] and 0 <= result["causes"][0]["confidence"] <= 1


JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=40)
    | st.sampled_from(["PERMISSION_DENIED", "SERVICE_DISABLED", 403, "@type"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["error", "code", "message", "status", "details", "reason", "metadata", "@type"])
            | st.text(max_size=8),
            children,
            max_size=4,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(JSONISH, st.sampled_from([json.dumps, repr, lambda v: json.dumps(json.dumps(v))]))
def test_any_json_shape_gives_a_diagnosis(value, encode):
    assert explain(encode(value)).causes
