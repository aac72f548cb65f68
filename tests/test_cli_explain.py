"""The explain command as a user runs it: formats, exit codes, schema, batch."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import invoke_cli

SCOPE = (
    '{"error":{"code":403,"message":"Request had insufficient authentication '
    'scopes.","status":"PERMISSION_DENIED"}}'
)


def test_json_schema_and_exit_code():
    done = invoke_cli("explain", "--format", "json", input=SCOPE)
    assert done.returncode == 0
    result = json.loads(done.stdout)
    assert set(result) >= {"causes", "parsed", "settled"}
    cause = result["causes"][0]
    assert cause["id"] == "scope_insufficient"
    assert set(cause) >= {"id", "confidence", "title", "why", "evidence", "fix", "retry"}
    assert cause["retry"] in {"yes", "no", "after_fix"}
    assert all("step" in step for step in cause["fix"])
    assert [c["confidence"] for c in result["causes"]] == sorted(
        (c["confidence"] for c in result["causes"]), reverse=True
    )
    assert len(result["causes"]) <= 5


def test_unknown_exits_3():
    done = invoke_cli("explain", "--format", "json", input="the weather is nice today")
    assert done.returncode == 3
    assert json.loads(done.stdout)["causes"][0]["id"] == "unknown"


def test_text_output_is_plain_when_piped_and_fills_the_project(tmp_path):
    error = tmp_path / "err.txt"
    error.write_text("403 Permission denied on resource project YOUR_PROJECT_ID.")
    done = invoke_cli("explain", str(error), "--project", "acme-prod")
    out = done.stdout.decode()
    assert done.returncode == 0 and "\x1b[" not in out
    assert "wrong_project" in out and "Fix:" in out and "Retry:" in out


def test_fix_commands_carry_the_users_names():
    body = (
        '{"error":{"code":403,"status":"PERMISSION_DENIED",'
        '"message":"Vertex AI API has not been used in project acme-prod before or it is disabled.",'
        '"details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_DISABLED",'
        '"domain":"googleapis.com",'
        '"metadata":{"consumer":"projects/acme-prod","service":"aiplatform.googleapis.com"}}]}}'
    )
    result = json.loads(invoke_cli("explain", "--format", "json", input=body).stdout)
    commands = [s.get("command", "") for s in result["causes"][0]["fix"]]
    assert "gcloud services enable aiplatform.googleapis.com --project=acme-prod" in commands


def test_markdown_format():
    out = invoke_cli("explain", "--format", "markdown", input=SCOPE).stdout.decode()
    assert out.startswith("## gemini-doctor diagnosis") and "scope_insufficient" in out


def test_batch_keeps_ids_and_order(tmp_path, error_cases):
    batch = tmp_path / "corpus.jsonl"
    batch.write_text(
        "\n".join(json.dumps({"id": c["id"], "error_text": c["error_text"]}) for c in error_cases)
    )
    done = invoke_cli("explain", "--batch", str(batch), "--format", "json")
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["id"] for r in results] == [c["id"] for c in error_cases]


def test_explain_path_stays_light():
    probe = (
        "import sys, io; sys.argv=['gemini-doctor','explain','--format','json']; "
        "sys.stdin=io.TextIOWrapper(io.BytesIO(b'API key expired'));import gemini_doctor.cli.main as m\n"
        "try: m.main()\nexcept SystemExit: pass\n"
        "heavy=[n for n in sys.modules if n.split('.')[0] in "
        "('httpx','google','rich','starlette','uvicorn','requests','grpc','click','dataclasses','pathlib','typing')]\n"
        "sys.stderr.write('HEAVY=' + ','.join(heavy))"
    )
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=60)
    assert done.stderr.decode().endswith("HEAVY="), done.stderr.decode()


ARG_TOKENS = [
    "--format",
    "json",
    "text",
    "markdown",
    "xml",
    "--batch",
    "cases.jsonl",
    "--project",
    "acme-prod",
    "-",
    "error.txt",
    "--format=json",
    "--project=",
    "--jobs",
    "2",
    "auto",
    "0",
    "--jobs=3",
    "--jobs=x",
    "--bogus",
    "-h",
    "--help",
    "--",
    "",
    "-x",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(ARG_TOKENS), max_size=6))
def test_plain_parser_agrees_with_click_whenever_it_answers(argv):
    """The click-free parser serves plain invocations; whatever it accepts, click reads the same way."""

    from gemini_doctor.cli.explain_cmd import explain
    from gemini_doctor.cli.explain_run import parse_plain

    plain = parse_plain(argv)
    if plain is None:
        return
    with explain.make_context("explain", list(argv)) as ctx:
        assert ctx.params == plain


def test_plain_parser_leaves_help_and_mistakes_to_click():
    from gemini_doctor.cli.explain_run import parse_plain

    for argv in (
        ["--help"],
        ["-h"],
        ["--format", "xml"],
        ["--bogus"],
        ["a", "b"],
        ["--project"],
        ["--jobs", "0"],
        ["--jobs=-1"],
        ["--jobs", "two"],
    ):
        assert parse_plain(argv) is None, argv
    assert parse_plain(["--format=json", "err.txt"]) == {
        "source": "err.txt",
        "fmt": "json",
        "batch": None,
        "project": None,
        "output": None,
        "jobs": "auto",
    }
    assert parse_plain(["--batch", "b.jsonl", "--jobs", "3"])["jobs"] == "3"


def test_usage_errors_still_get_clicks_messages():
    done = invoke_cli("explain", "--format", "xml", input=SCOPE)
    assert done.returncode == 2 and b"Invalid value for '--format'" in done.stderr
    done = invoke_cli("explain", "--batch", "b.jsonl", "--jobs", "0")
    assert done.returncode == 2 and b"Invalid value for '--jobs': '0' is not a whole number" in done.stderr
    done = invoke_cli("explain", "--help")
    assert done.returncode == 0 and b"--project PROJECT_ID" in done.stdout and b"--jobs N|auto" in done.stdout
