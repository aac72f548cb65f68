"""The speed machinery never changes an answer: prefilters, literal scans and pattern indexes only
skip patterns that could not have matched."""

import re
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gemini_doctor.catalogue import load_catalogue
from gemini_doctor.evidence import loose
from gemini_doctor.matching import prefilter
from gemini_doctor.matching.literals import boundary_after_literal, required_literals, starts_with_literal
from gemini_doctor.matching.prefilter import LiteralScanner, PatternIndex, Prefiltered, Scanned


def _loose_patterns() -> list[Prefiltered]:
    singles = [value for value in vars(loose).values() if isinstance(value, Prefiltered)]
    indexed = [*loose._CODES.patterns, *loose._MESSAGES.patterns, *loose._FIELDS.patterns]
    return [*singles, *indexed, *(hint for _, hint in loose._SURFACE_HINTS)]


def _catalogue_patterns() -> list[Prefiltered]:
    return [signal.text for cause in load_catalogue().values() for signal in cause.signals if signal.text]


@pytest.mark.parametrize("variant", [str, str.upper, str.lower])
def test_gated_search_finds_what_a_plain_search_finds(error_cases, variant):
    texts = [loose.unescape(variant(case["error_text"])) for case in error_cases]
    scanned = set(
        _loose_patterns()
    )  # these are gated by the loose scanner's findings, the others by the catalogue's
    # each text as a string, as a Scanned without a scanner's findings, and as each scanner scans it
    subjects = [(text, Scanned(text), loose.scan(text), load_catalogue().scan(text)) for text in texts]
    for pattern in [*scanned, *_catalogue_patterns()]:
        plain = re.compile(pattern.source, pattern.flags)
        for text, unscanned, by_loose, by_catalogue in subjects:
            expected = plain.search(text)
            for subject in (text, unscanned, by_loose if pattern in scanned else by_catalogue):
                got = pattern.search(subject)
                assert (got and got.span()) == (expected and expected.span()), (pattern.source, text[:60])


def test_required_literals_look_inside_groups_and_alternations():
    assert required_literals(r"\b(invalid_grant|unauthorized_client)\b") == (
        "invalid_grant",
        "unauthorized_client",
    )
    assert required_literals(r"(quota_metric|quota_id):") == ("quota_id", "quota_metric")
    assert required_literals(r"\bfiles?\b|cach(e|ing)|cachedContent") == (
        "cach",
        "file",
    )  # cachedcontent contains cach
    assert required_literals(r"x(abc)+y") == ("abc",) and required_literals(r"x(abc)*y") is None
    assert required_literals(r"([45]\d\d)") is None


def test_required_literals_read_escapes_classes_quantifiers_and_groups():
    assert required_literals(r"abcd?ef") == ("abc",)  # a quantified character leaves the run
    assert required_literals(r"ab\.[c]\x64(?#note)") == ("ab.cd",)
    assert required_literals(r"(?:abc){2,}x|(?P<n>def)+") == ("abc", "def")
    assert required_literals(r"(?:abc){0,2}|(?=abc)x") is None  # optional, and lookarounds are not read
    assert required_literals(r"(abc)\1\12xyz") == ("abc",)  # \12 is a back-reference, not "\1" then "2"
    assert required_literals(r"(?x) a b c d") is None and required_literals(r"(?(1)abc|abd)") is None


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="abcAB .|()?*+[]\\d{},1:=!<>^$-", max_size=16),
    st.text(alphabet="abcAB .-1,{}", max_size=30),
)
def test_a_match_always_contains_a_required_literal(pattern, text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "possible nested set" in random patterns
        try:
            regex = re.compile(pattern, re.I)
        except re.error:
            return
        literals = required_literals(pattern)
    m = regex.search(text)
    if m and literals is not None:
        assert any(literal in text.lower() for literal in literals), (pattern, text, literals)


def test_a_leading_word_boundary_is_checked_after_the_word():
    assert boundary_after_literal(r"\bfiles?\b|cach(e|ing)") == r"file(?<!\wfile)s?\b|cach(e|ing)"
    assert boundary_after_literal(r"\blimit: (\d+)") == r"limit: (?<!\wlimit: )(\d+)"
    for unchanged in (r"\b(ab|cd)", r"\b\d+", r"\\bab", r"[|\b]\bab", r"(?x)\bab c", r"(\bab"):
        assert boundary_after_literal(unchanged) == unchanged


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet="ab: |()?*+[]\\", max_size=12).map(lambda p: "\\b" + p),
    st.text(alphabet="ab: _", max_size=30),
)
def test_the_boundary_rewrite_finds_the_same_matches(pattern, text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        try:
            original = re.compile(pattern)
        except re.error:
            return
        rewritten = re.compile(boundary_after_literal(pattern))
    assert [m.span() for m in rewritten.finditer(text)] == [m.span() for m in original.finditer(text)], (
        pattern
    )


def test_starts_with_literal_only_for_a_fixed_leading_run():
    assert (
        starts_with_literal("reason[\"']?")
        and starts_with_literal("https?://")
        and starts_with_literal("key:\\s")
    )
    assert (
        not starts_with_literal("ab?")
        and not starts_with_literal("abc|def")
        and not starts_with_literal("\\bword")
    )


def test_scanner_and_index_agree_with_substring_tests():
    patterns = [Prefiltered(p, 0) for p in ("alpha (\\d+)", "beta|gamma", "[0-9]+", "delta")]
    index = PatternIndex(patterns)
    scanner = LiteralScanner(index.literals())
    for text in ("alpha 1 and gamma", "nothing", "delta beta", ""):
        scanned = Scanned(text, scanner)
        assert scanned.found == {lit for lit in index.literals() if lit in text}
        expected = [p for p in patterns if p.literals is None or any(lit in text for lit in p.literals)]
        assert index.matching(scanned) == expected
        assert [p for p in patterns if p.can_match(scanned)] == expected
        assert set(expected) <= {
            p for p in patterns if p.can_match(Scanned(text))
        }  # unscanned: substring tests, or none


_WORDS = st.text(alphabet="abk=_", min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=40), st.text(alphabet="abk=_ ", max_size=60))
def test_scanner_reports_exactly_the_literals_that_occur(literals, text):
    """Literals inside or across another's match (leftmost mode) are found too, in either scan mode, by
    either automaton (the first scans' contiguous NFA, then the DFA)."""
    scanner = LiteralScanner(literals)
    for _ in range(prefilter.DFA_AFTER):
        assert scanner.present(text) == {lit for lit in literals if lit in text}
    assert not scanner._until_dfa  # the last scan was the DFA's


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=8), st.text(alphabet="abk=_ ", max_size=60))
def test_occurs_says_whether_any_literal_occurs_across_window_borders(literals, text):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prefilter, "_WINDOW", 4)  # small windows: literals cross their borders
        assert LiteralScanner(literals).occurs(text) == any(lit in text for lit in literals)


def test_scanner_modes():
    """A small set: leftmost scan (its prefilter is faster); a large one: an overlapping scan."""
    triggers = LiteralScanner(["access_token", "token=", "aiza", "private key", "key="])
    assert not triggers._overlapping
    assert triggers.present("x access_token=1 private key=2") == {
        "access_token",
        "token=",
        "private key",
        "key=",
    }
    many = LiteralScanner([f"w{n}" for n in range(40)] + ["access_token", "token="])
    assert many._overlapping and many.present("w1 w39 access_token=1") == {
        "w1",
        "w3",
        "w39",
        "access_token",
        "token=",
    }


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab\"'\\\n", max_size=40))
def test_string_values_are_read_as_a_plain_repetition_reads_them(text):
    for excluded in ('"', "'\\n"):
        fast = re.compile(f"'{loose._string_value(excluded)}'")
        plain = re.compile(rf"'((?:[^{excluded}\\]|\\.){{8,}})'")
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


_PIECE = st.text(alphabet="abc .?*()[]\\b", max_size=6)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(_PIECE.filter(lambda p: len(p) > 2), _PIECE).map("".join).filter(lambda p: "|" not in p),
        min_size=2,
        max_size=4,
    ),
    st.text(alphabet="abcAB .", max_size=40),
    st.none() | _PIECE,
)
def test_a_pattern_of_alternatives_searched_branch_by_branch_finds_the_same_match(alternatives, text, rest):
    """Top-level alternatives, or (with *rest*) a leading group of them, ``(?:a|b)rest``, searched as the
    branches ``arest``, ``brest``."""
    pattern = "|".join(alternatives) if rest is None else f"(?:{'|'.join(alternatives)}){rest}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        try:
            plain = re.compile(pattern, re.I)
        except re.error:
            return
        gated = Prefiltered(pattern)
        scanner = LiteralScanner(gated.literals) if gated.literals else None
        got = gated.search(Scanned(text, scanner))
    expected = plain.search(text)
    assert (got and got.regs) == (expected and expected.regs)  # every group's span
