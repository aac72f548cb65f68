"""Every pattern run on untrusted text has a linear-time shape (see regex_shapes.py), so no input
can make explain, scan or check crawl; benchmarks/hostile_bench.py measures the worst case."""

from __future__ import annotations

import importlib
import pkgutil
import re

import gemini_doctor
from gemini_doctor.catalogue import load_catalogue
from gemini_doctor.matching.prefilter import LazyRegex, PatternIndex, Prefiltered
from regex_shapes import problems

# Packages that never read untrusted text with these patterns (the emulator reads requests with its own
# parsers).
SKIPPED_PACKAGES = ("gemini_doctor.emulator", "gemini_doctor.cli", "gemini_doctor.__main__")
# Patterns used only with fullmatch() or match() on short values, where a search cannot restart:
# the module attribute names, checked to exist so that the list cannot go stale.
ANCHORED = {"gemini_doctor.google.syntax": ["SYNTAX"], "gemini_doctor.evidence.loose": ["_PROJECT_ID"]}
# Shapes the check flags that are linear in use, each for the reason given (and measured by
# benchmarks/hostile_bench.py); a new entry needs as good a reason.
LINEAR_IN_USE = {
    "gemini_doctor.matching.literals._LEADING_RUN[0]": (
        "runs on the catalogue's own pattern sources, never on input"
    ),
    "gemini_doctor.matching.literals._TOKEN[0]": (
        "runs on the package's and the catalogue's own pattern sources, never on input"
    ),
    "gemini_doctor.evidence.pyliteral._TOKEN[0]": "the tokenizer stops at the first quote that does not "
    "close, so a run is scanned once per literal, within _MAX_SPAN",
    "gemini_doctor.evidence.loose._MESSAGES[1]": "a quoted value takes the rest of a line at most (no "
    "newline in it), and a restart needs 'message' again inside that line",
    "gemini_doctor.engine.rank._MESSAGE_END[0]": "searched only within _MESSAGE_END_REACH characters",
    "gemini_doctor.evidence.loose._TITLE[0]": (
        "searched only within _TITLE_REACH characters before the phrase"
    ),
    "gemini_doctor.scan._ERROR_STATUS_AFTER_KEY[0]": (
        "match() at one offset after each key: a search never restarts"
    ),
    "gemini_doctor.google.lifecycle._SUFFIX[0]": (
        "a restart needs '@' or '-', which the run it would rescan cannot hold"
    ),
    "gemini_doctor.redact._STARTS": "each: the first alternative takes any run as long as its minimum; the "
    "second runs only on a shorter one",
}


def _patterns_in(value, seen: set[int]):
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, re.Pattern):
        yield value
    elif isinstance(value, (Prefiltered, LazyRegex)):
        yield value.regex
    elif isinstance(value, PatternIndex):
        for pattern in value.patterns:
            yield pattern.regex
    elif isinstance(value, (tuple, list, frozenset, set)):
        for item in value:
            yield from _patterns_in(item, seen)
    elif isinstance(value, dict):
        for item in (*value.keys(), *value.values()):
            yield from _patterns_in(item, seen)


def all_patterns() -> dict[str, re.Pattern[str]]:
    """Where each pattern lives -> the pattern, as it runs (folded, rewritten), over the package and the
    catalogue."""
    found: dict[str, re.Pattern[str]] = {}
    for info in pkgutil.walk_packages(gemini_doctor.__path__, "gemini_doctor."):
        if info.name.startswith(SKIPPED_PACKAGES):
            continue
        module = importlib.import_module(info.name)
        skipped = set(ANCHORED.get(info.name, ()))
        for name, value in vars(module).items():
            if name in skipped or callable(value):
                continue
            for n, pattern in enumerate(_patterns_in(value, set())):
                found[f"{info.name}.{name}[{n}]"] = pattern
    for cause in load_catalogue().values():
        for n, signal in enumerate(cause.signals):
            if signal.text is not None:
                found[f"catalogue {cause.id} signal {n}"] = signal.text.regex
            for field, pattern in signal.fields:
                found[f"catalogue {cause.id} signal {n} field {field}"] = getattr(pattern, "regex", pattern)
    return found


def test_exemptions_exist():
    for module, names in ANCHORED.items():
        assert all(hasattr(importlib.import_module(module), name) for name in names), module
    names = set(all_patterns())
    assert set(LINEAR_IN_USE) <= names | {name.partition("[")[0] for name in names}


def test_every_pattern_has_a_linear_shape():
    found = {where: problems(pattern) for where, pattern in all_patterns().items()}
    bad = {
        where: (all_patterns()[where].pattern, shapes)
        for where, shapes in found.items()
        if shapes and not {where, where.partition("[")[0]} & set(LINEAR_IN_USE)
    }
    assert not bad, "\n".join(f"{where}: {pattern!r}: {shapes}" for where, (pattern, shapes) in bad.items())


def test_the_check_finds_the_known_blowups():
    """The checker itself: the shapes that made explain run for minutes are caught; safe ones pass."""
    for blowup in (
        r"\n[45]\d\d ([A-Z][^\[\n]{7,}?)\s*(?:\[|$)",
        r"((?:[A-Z][\w]*\s){0,5}API) has not",
        r"""'([^'\\]*(?:\\.[^'\\]*)*)'""",
        r"(a+)+b",
        r"(\w+\s?)*$",
    ):
        assert problems(re.compile(blowup)), blowup
    for fine in (
        r'"message"\s*:\s*"((?:[^"\\]|\\.){8}[^"\\]*(?:\\.[^"\\]*)*)',
        r"reason[\"']?\s*[:=]\s*[\"']([A-Z_]{3,})",
        r"has not been used in project (\S+?) before",
        r"\bprojects/([a-z0-9][\w\-.:]*?)/locations/",
    ):
        assert not problems(re.compile(fine)), fine
