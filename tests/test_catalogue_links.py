"""The catalogue's links resolve at load: a misspelt fact, field, placeholder, surface or demote target
fails with the file and line, and the on-disk cache is keyed by the code that built it."""

import os

import pytest

from gemini_doctor import catalogue
from gemini_doctor.catalogue import CatalogueError, load_catalogue
from gemini_doctor.catalogue.model import PLACEHOLDERS

HEAD = 'title = "t"\nwhy = "w {project}"\nretry = "no"\nchecks = ["c"]\n'


@pytest.fixture
def load_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def load(body: str, other: str | None = None):
        causes = tmp_path / "causes"
        causes.mkdir(exist_ok=True)
        (causes / "broken_cause.toml").write_text(HEAD + body)
        if other is not None:
            (causes / "other_cause.toml").write_text(HEAD + other)
        load_catalogue.cache_clear()
        try:
            return load_catalogue(causes)
        finally:
            load_catalogue.cache_clear()

    return load


@pytest.mark.parametrize(
    ("body", "where", "says"),
    [
        (
            '[[signal]]\nweight = 0.5\ntext = "x"\n[[signal]]\nweight = 0.9\nfact = "api_key_on_vertx"\n',
            10,
            "api_key_on_vertx",
        ),
        ('[[signal]]\nweight = 0.5\nfields = { projcet = "^x$" }\n', 7, "projcet"),
        (
            '[[fix]]\nstep = "Enable {servise} in {project}"\n[[signal]]\nweight = 0.5\ntext = "x"\n',
            6,
            "{servise}",
        ),
        ('[[signal]]\nweight = 0.5\nsurface = "vertexai"\n', 7, "vertexai"),
        ('[[signal]]\nweight = 0.5\ntext = "x"\ndemote = { no_such_cause = 0.5 }\n', 8, "no_such_cause"),
    ],
)
def test_a_broken_link_fails_with_file_and_line(load_dir, body, where, says):
    with pytest.raises(CatalogueError) as raised:
        load_dir(body)
    assert str(raised.value).startswith(f"broken_cause.toml:{where}: "), str(raised.value)
    assert says in str(raised.value)


def test_good_links_load(load_dir):
    causes = load_dir(
        '[[signal]]\nweight = 0.5\nfact = "service_disabled"\nfields = { service = "x" }\n'
        'surface = "vertex"\ndemote = { other_cause = 0.5 }\n',
        other='[[signal]]\nweight = 0.5\ntext = "y"\n',
    )
    assert set(causes) == {"broken_cause", "other_cause"}


def test_the_cache_key_follows_the_version_and_the_code(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    code = tmp_path / "code.py"
    code.write_text("A = 1\n")
    monkeypatch.setattr(catalogue, "_CODE", (str(code),))
    first = catalogue._cache_path(tmp_path, [])
    code.write_text("A = 22\n")
    second = catalogue._cache_path(tmp_path, [])
    monkeypatch.setattr(catalogue, "__version__", "9.9.9")
    third = catalogue._cache_path(tmp_path, [])
    stamp = code.stat().st_mtime_ns
    code.write_text("A = 23\n")  # same size, same modification time: only its contents tell
    os.utime(code, ns=(stamp, stamp))
    fourth = catalogue._cache_path(tmp_path, [])
    assert len({first, second, third, fourth}) == 4


def test_every_file_the_cache_depends_on_exists():
    for name in catalogue._CODE:
        assert os.path.isfile(os.path.join(catalogue.PACKAGE, name)), name


def test_fill_and_check_only_produce_declared_placeholders():
    from gemini_doctor.engine.fill import template_values
    from gemini_doctor.evidence.record import FIELDS, ErrorRecord
    from gemini_doctor.probes.discovery import discover
    from gemini_doctor.verdict import _known_values

    record = ErrorRecord(
        **{name: "x" for name in FIELDS if name not in ("reasons", "metadata", "details", "bodies")}
    )
    assert set(template_values(record)) <= set(PLACEHOLDERS)
    setup = discover({"GEMINI_API_KEY": "AIza" + "x" * 35, "HOME": "/nonexistent"}, project="p")
    setup.principal = "dev@example.com"
    assert set(_known_values(setup, {})) <= set(PLACEHOLDERS)


def test_registries_keyed_by_cause_name_real_causes():
    from gemini_doctor import remedies
    from gemini_doctor.catalogue import require_causes

    assert set(remedies.PLANNERS) == {
        "service_disabled",
        "iam_permission_missing",
        "quota_project_missing",
        "api_key_api_restricted",
    }
    assert require_causes(remedies.PLANNERS, "remedies.py") == tuple(remedies.PLANNERS)
    with pytest.raises(
        CatalogueError, match=r"remedies\.py names unknown cause ID\(s\) \['servise_disabled'\]"
    ):
        require_causes(["service_disabled", "servise_disabled"], "remedies.py")


def test_cause_ids_the_scan_and_the_demo_name_are_causes():
    """Those two keep their cause IDs as plain data, not checked at import (importing scan or demo does not
    load the catalogue: a log without Google's errors never needs it), so they are checked here."""
    from gemini_doctor import demo, scan
    from gemini_doctor.catalogue import require_causes
    from gemini_doctor.emulator.scenarios import scenario_cause

    require_causes(scan.INCIDENT_CAUSES, "scan.py")
    require_causes({scenario_cause(name) for name in demo.TOUR}, "demo.py")


def test_an_unknown_cause_id_in_code_is_named_with_its_file_and_line():
    from gemini_doctor.catalogue import require_causes

    path = os.path.join(catalogue.PACKAGE, "emulator", "scenarios.py")
    with open(path, encoding="utf-8") as handle:
        line = next(n for n, text in enumerate(handle, 1) if '"iam_deny_policy": Scenario(' in text)
    with pytest.raises(CatalogueError, match=rf"^emulator/scenarios\.py:{line} names unknown cause ID"):
        require_causes(["iam_deny_policy"], "emulator/scenarios.py")  # a scenario's name, not a cause


def test_scenarios_are_causes(monkeypatch):
    from gemini_doctor.emulator import scenarios

    scenarios._validate()
    monkeypatch.setitem(scenarios.SCENARIOS, "servise_disabled", scenarios.Scenario("a typo", []))
    with pytest.raises(CatalogueError, match="servise_disabled"):
        scenarios._validate()
