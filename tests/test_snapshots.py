"""Refactors change nothing users see: explain on the corpus and check on every scenario, byte for byte.

On purpose changes regenerate the snapshots: `python tests/snapshots.py --update` (see tests/snapshots.py).
"""

import os

import pytest

import snapshots


@pytest.mark.parametrize("path", list(snapshots.SNAPSHOTS), ids=lambda p: p.stem)
def test_answers_match_the_snapshot(path):
    actual = snapshots.SNAPSHOTS[path]()
    if os.environ.get(snapshots.UPDATE_ENV):
        snapshots.write(path, actual)
        return
    expected = path.read_text(encoding="utf-8") if path.exists() else ""
    assert actual == expected, (
        f"{path.name} differs from what the product answers now.\n"
        f"{snapshots.first_difference(expected, actual)}\n"
        f"If this change is ON PURPOSE, regenerate with `{snapshots.UPDATE_COMMAND}` and commit tests/data/ "
        "with it; otherwise the change altered behaviour it should not have."
    )


def test_to_dict_is_the_json_form_decoded():
    """explain's dict and JSON forms are built separately (the JSON from templates): they agree."""
    import json

    from gemini_doctor import explain

    for text in snapshots.corpus_texts().values():
        for variant in (text, text.upper()):
            diagnosis = explain(variant)
            assert diagnosis.to_dict() == json.loads(diagnosis.to_json()), variant[:120]
