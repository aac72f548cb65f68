"""The JSON form written from compiled cause templates is exactly the encoded dict, for any values."""

import json

import pytest

from gemini_doctor import explain
from gemini_doctor.catalogue import Catalogue, Cause, FixStep, Signal
from gemini_doctor.engine import rank
from gemini_doctor.evidence import parse_text
from gemini_doctor.jsontext import encode
from gemini_doctor.textsafe import printable


def test_corpus_json_text_is_the_encoded_dict(error_cases):
    for case in error_cases:
        diagnosis = explain(case["error_text"])
        text = diagnosis.to_json()
        assert text.isascii(), case["id"]
        assert text == encode(diagnosis.to_dict()), case["id"]


@pytest.mark.parametrize(
    "project", ['my"proj', "back\\slash", "naïve-…", "{project}", "\x01project\x01", "tab\there"]
)
def test_values_that_need_escaping_arrive_intact_in_prose_and_never_in_commands(project):
    text = (
        '{"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "Permission '
        "'aiplatform.endpoints.predict' denied\"}}"
    )
    result = json.loads(explain(text, project=project).to_json())
    prose = [cause["why"] for cause in result["causes"]] + [
        check for cause in result["causes"] for check in cause["checks"]
    ]
    commands = [step.get("command", "") for cause in result["causes"] for step in cause["fix"]]
    assert any(printable(project) in line for line in prose)
    assert not any(project in command for command in commands)
    assert any(command.startswith("# ") and "PROJECT" in command for command in commands)


def test_unknown_template_values_read_as_phrases_in_prose_and_commands_become_comments():
    cause = Cause(
        id="demo",
        title="Demo",
        why="Call {model} in location {location} (project {project}).",
        retry="no",
        checks=("look at {project}", "Project {project} ({role})"),
        fix=(FixStep(step="Grant {role}.", command="gcloud x --zone={zone}"),),
        signals=(Signal(weight=0.9, says="a 403", codes=frozenset({403})),),
    )
    diagnosis = rank(
        parse_text('{"error": {"code": 403, "message": "models/gemini-2.5-pro denied"}}'),
        causes=Catalogue({"demo": cause}),
    )
    result = diagnosis.to_dict()["causes"][0]
    assert result["why"] == "Call gemini-2.5-pro in this location (your project)."
    assert result["checks"] == ["look at your project", "Your project"]
    assert result["fix"] == [
        {
            "step": "Grant the role Google's IAM reference lists for it.",
            "command": "# gcloud x --zone=ZONE    <- fill in ZONE (not in the error)",
        }
    ]
    assert result["confidence"] == 0.9 and result["evidence"]
