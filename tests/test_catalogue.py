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


@pytest.mark.parametrize(
    "body, field",
    [
        ('title = "t"\nwhy = "w"\nretry = "maybe"\n', "retry"),
        ('title = "t"\nwhy = "w"\nretry = "no"\n[[signal]]\nweight = 2\ntext = "x"\n', "weight"),
        ('title = "t"\nwhy = "w"\nretry = "no"\n[[signal]]\nweight = 0.5\n', "condition"),
        ('title = "t"\nwhy = "w"\nretry = "no"\n[[signal]]\nweight = 0.5\ntext = "("\n', "pattern"),
        ('title = "t"\nretry = "no"\n', "why"),
        ('title = "t"\nwhy = "w"\nretry = "no"\ncolour = 1\n', "colour"),
    ],
)
def test_malformed_files_are_named(tmp_path, body, field):
    (tmp_path / "broken_cause.toml").write_text(body)
    load_catalogue.cache_clear()
    try:
        with pytest.raises(CatalogueError, match=field):
            load_catalogue(tmp_path)
    finally:
        load_catalogue.cache_clear()


def _catalogue_patterns() -> list[str]:
    return sorted(
        {signal.text.source for cause in load_catalogue().values() for signal in cause.signals if signal.text}
    )


@pytest.mark.parametrize("variant", [str, str.upper, str.swapcase, str.title])
def test_folded_patterns_match_exactly_where_ignorecase_does(error_cases, variant):
    """Every pattern is folded (none falls back), and on the lower-cased text it finds the same
    spans as the original pattern under IGNORECASE on the text."""
    from gemini_doctor.evidence import parse_text
    from gemini_doctor.matching.literals import fold_case

    texts = [parse_text(variant(case["error_text"])).text for case in error_cases]
    for source in _catalogue_patterns():
        folded = fold_case(source)
        assert folded is not None, source
        original, lowered = re.compile(source, re.I), re.compile(folded)
        for text in texts:
            a, b = original.search(text), lowered.search(text.lower())
            assert (a and a.span()) == (b and b.span()), (source, text[:80])


def test_fold_case_keeps_escapes_group_syntax_and_refuses_scoped_flags():
    from gemini_doctor.matching.literals import fold_case

    assert fold_case(r"API Key \S+ (?P<Name>X)(?P=Name)") == r"api key \S+ (?P<name>x)(?P=name)"
    assert fold_case(r"[A-Z]\W\B\D") == r"[a-z]\W\B\D"
    assert fold_case(r"(?-i:[A-Z])") is None and fold_case(r"\x41") is None


def test_the_cache_is_used_and_refreshed_when_a_file_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    causes = tmp_path / "causes"
    causes.mkdir()
    cause = causes / "some_cause.toml"
    cause.write_text('title = "First"\nwhy = "w"\nretry = "no"\n[[signal]]\nweight = 0.5\ntext = "alpha"\n')
    load_catalogue.cache_clear()
    try:
        assert load_catalogue(causes)["some_cause"].title == "First"
        assert len(list((tmp_path / "cache" / "gemini-doctor").glob("catalogue-*.json"))) == 1
        cause.write_text(
            'title = "Second!"\nwhy = "w"\nretry = "no"\n[[signal]]\nweight = 0.5\ntext = "beta"\n'
        )
        load_catalogue.cache_clear()
        loaded = load_catalogue(causes)["some_cause"]
        assert loaded.title == "Second!" and loaded.signals[0].text.source == "beta"
    finally:
        load_catalogue.cache_clear()
