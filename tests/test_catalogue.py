"""The catalogue covers the cause contract, and malformed files fail with a message naming the field."""

import re

import pytest

from conftest import CAUSES_MD
from gemini_doctor.catalogue import CatalogueError, load_catalogue


def test_every_contract_id_has_a_catalogue_entry():
    if not CAUSES_MD.exists():
        pytest.skip(f"{CAUSES_MD} not found")
    contract = set(re.findall(r"^- `(\w+)`", CAUSES_MD.read_text(), re.M))
    assert contract and contract <= set(load_catalogue())


def test_every_cause_has_fix_and_all_but_unknown_have_signals():
    for cause in load_catalogue().values():
        assert cause.fix and cause.checks, cause.id
        assert cause.signals or cause.id == "unknown", cause.id


@pytest.mark.parametrize("body, field", [
    ('title = "t"\nwhy = "w"\nretry = "maybe"\n', "retry"),
    ('title = "t"\nwhy = "w"\nretry = "no"\n[[signal]]\nweight = 2\ntext = "x"\n', "weight"),
    ('title = "t"\nwhy = "w"\nretry = "no"\n[[signal]]\nweight = 0.5\n', "condition"),
    ('title = "t"\nwhy = "w"\nretry = "no"\n[[signal]]\nweight = 0.5\ntext = "("\n', "pattern"),
    ('title = "t"\nretry = "no"\n', "why"),
    ('title = "t"\nwhy = "w"\nretry = "no"\ncolour = 1\n', "colour"),
])
def test_malformed_files_are_named(tmp_path, body, field):
    (tmp_path / "broken_cause.toml").write_text(body)
    load_catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match=field):
            load_catalogue(tmp_path)
    finally:
        load_catalogue.cache_clear()
