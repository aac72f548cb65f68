"""Model lifecycle as data: the table loads, its links hold, and answers follow the date asked about."""

from datetime import date

import pytest

from gemini_doctor.google.lifecycle import (
    AVAILABLE,
    CLOSED,
    NOT_SERVED,
    ROUTED,
    SHUT_DOWN,
    ModelTableError,
    model_table,
    today,
    today_iso,
)


@pytest.fixture(scope="module")
def table():
    return model_table()


def test_every_model_has_a_source_and_its_links_resolve(table):
    for model in table.models.values():
        assert model.sources, model.id
        for link in filter(None, [model.replacement, *(e.routed_to for e in model.events.values())]):
            assert link in table.models, (model.id, link)


def test_answers_follow_the_date(table):
    assert table.status("gemini-2.5-flash", "gemini-api", date(2026, 6, 1)) == AVAILABLE
    assert table.status("gemini-2.5-flash", "gemini-api", date(2026, 8, 1)) == CLOSED
    assert table.status("gemini-2.5-flash", "gemini-api", date(2026, 12, 1)) == ROUTED
    assert table.status("gemini-3-pro-preview", "gemini-api", date(2026, 3, 8)) == AVAILABLE
    assert table.status("gemini-3-pro-preview", "gemini-api", date(2026, 3, 9)) == SHUT_DOWN


def test_the_2026_schedule(table):
    on = date(2026, 12, 1)
    assert table.status("gemini-2.0-flash", "gemini-api", date(2026, 3, 1)) == CLOSED
    for name in ("gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite"):
        assert table.status(name, "vertex", on) == SHUT_DOWN, name
    assert table.find("gemini-2.5-pro").events["gemini-api"].routed_to == "gemini-3.8-flash"
    assert table.find("gemini-2.5-flash").events["gemini-api"].routed_to == "gemini-3.5-flash-lite"
    assert table.replacement("gemini-3-pro-image-preview", "gemini-api", on) == "gemini-3-pro-image"
    assert table.replacement("gemini-3.1-flash-image-preview", "gemini-api", on) == "gemini-3.1-flash-image"
    assert table.status("gemini-3.5-flash", "vertex", on) == AVAILABLE
    assert table.status("gemini-2.5-flash-preview-09-2025", "vertex", on) == SHUT_DOWN
    assert table.status("gemini-2.5-flash-image-preview", "vertex", date(2025, 11, 1)) == SHUT_DOWN
    assert table.status("gemini-2.5-pro-preview-06-05", "vertex", on) == NOT_SERVED


def test_locations(table):
    flash = table.find("gemini-3.5-flash")
    assert flash.served_at("global") and flash.served_at("eu") and flash.served_at("us")
    assert flash.served_at("us-west1") is False
    assert table.find("gemini-3-flash-preview").locations == ("global",)
    assert table.find("gemini-3.8-live").served_at("global") is None  # no source lists them


def test_a_gemini_3_model_on_agent_platform_lists_its_locations_or_says_why_not(table):
    for model in table.models.values():
        if model.id.startswith("gemini-3") and "vertex" in model.surfaces and not model.locations:
            assert "none are recorded" in model.note, model.id


def test_names_as_callers_write_them(table):
    for written in (
        "models/gemini-2.5-flash",
        "projects/p/locations/global/publishers/google/models/gemini-2.5-flash",
        "gemini-2.5-flash-001",
        "gemini-2.5-flash@001",
        "GEMINI-2.5-FLASH",
        "gemini-2.5-flash-latest",
    ):
        assert table.find(written).id == "gemini-2.5-flash", written
    assert table.find("gemini-2.5-flash-preview-09-2025").id == "gemini-2.5-flash-preview-09-2025"
    assert table.find("my-tuned-model") is None and table.find(None) is None


def test_replacement_is_open_on_the_surface(table):
    on = date(2026, 12, 1)
    assert table.replacement("gemini-2.5-flash", "gemini-api", on) == "gemini-3.5-flash-lite"
    assert (
        table.replacement("gemini-2.5-flash", "vertex", on) == "gemini-3.5-flash-lite"
    )  # served there too since July
    assert (
        table.replacement("gemini-2.5-flash-image", "vertex", on) == "gemini-3.5-flash"
    )  # 3.1 flash image: not on vertex
    assert table.replacement("gemini-3-pro-preview", "gemini-api", on) == "gemini-3.1-pro-preview"
    assert table.replacement("gemini-3.5-flash", "gemini-api", on) is None
    for model in table.models.values():
        for surface in model.surfaces:
            new = table.replacement(model.id, surface, on)
            assert new is None or table.status(new, surface, on) == AVAILABLE, (model.id, surface, new)


def test_control_model_is_ga_open_and_not_the_model_under_test(table):
    on = date(2026, 12, 1)
    assert table.control_model("gemini-api", on=on) == "gemini-3.5-flash"
    assert (
        table.control_model("gemini-api", avoid="models/gemini-3.5-flash", on=on) == "gemini-3.1-flash-lite"
    )
    assert table.control_model("vertex", location="eu", on=on) == "gemini-3.5-flash"
    for surface in ("gemini-api", "vertex"):
        name = table.control_model(surface, on=on)
        assert table.find(name).stage == "ga" and table.status(name, surface, on) == AVAILABLE


def test_today_can_be_injected(monkeypatch):
    monkeypatch.setenv("GEMINI_DOCTOR_TODAY", "2026-01-15")
    assert today() == date(2026, 1, 15) and today_iso() == "2026-01-15"
    monkeypatch.setenv("GEMINI_DOCTOR_TODAY", "soon")
    with pytest.raises(ModelTableError):
        today()


@pytest.mark.parametrize(
    "body, message",
    [
        (
            (
                'control = ["a"]\n[[model]]\nid = "a"\nstage = "ga"\nsurfaces = ["gemini-api"]\n'
                'replacement = "b"\nsources = ["s"]\n'
            ),
            "unknown model 'b'",
        ),
        ('control = ["a"]\n[[model]]\nid = "a"\nstage = "beta"\nsurfaces = ["gemini-api"]\n', "stage"),
        (
            (
                'control = ["a"]\n[[model]]\nid = "a"\nstage = "ga"\nsurfaces = ["vertex"]\n'
                "gemini-api = { shut_down = 2026-01-01 }\n"
            ),
            "not among its surfaces",
        ),
        (
            (
                'control = ["a"]\n[[model]]\nid = "a"\nstage = "ga"\nsurfaces = ["gemini-api"]\n'
                'gemini-api = { shut_down = "soon" }\n'
            ),
            "must be a date",
        ),
        (
            'control = ["x"]\n[[model]]\nid = "a"\nstage = "ga"\nsurfaces = ["gemini-api"]\n',
            "control model 'x'",
        ),
    ],
)
def test_a_misspelt_link_fails_at_load(tmp_path, body, message):
    path = tmp_path / "models.toml"
    path.write_text(body)
    with pytest.raises(ModelTableError, match=message):
        model_table(str(path))
