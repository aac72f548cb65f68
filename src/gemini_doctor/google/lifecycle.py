"""Gemini model lifecycle, from ``models.toml``: where each model is served and what has happened to it.

Every question takes today's date (``today()`` unless a test passes one), so an answer ages with the
calendar: a model closed to new users in July reads as open before July and closed after it. Days are
ISO strings (``2026-12-01``), which compare as dates do: `explain` need not import ``datetime``.
"""

from __future__ import annotations

import os
import re
import time
from collections import namedtuple
from functools import lru_cache

from ..datacache import cache_file, read_cached, write_cached
from .services import GEMINI_API, VERTEX

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (`explain` starts light)
if TYPE_CHECKING:
    from datetime import date

MODELS_FILE = os.path.join(os.path.dirname(__file__), "models.toml")
TODAY_ENV = "GEMINI_DOCTOR_TODAY"  # an ISO date that stands in for today (tests, emulator worlds)
SURFACES = (GEMINI_API.id, VERTEX.id)  # the surfaces that serve models by name
STAGES = ("ga", "preview", "experimental")
_EVENTS = {"closed_to_new_users", "shut_down", "routed_to"}
_MODEL_KEYS = {
    "id",
    "stage",
    "released",
    "surfaces",
    "locations",
    "paid_only",
    "replacement",
    "sources",
    "note",
    *SURFACES,
}
# What callers put around a model ID: a resource path before it, a version or alias after it.
_PREFIX = re.compile(r"^(?:.*/)?(?:publishers/google/)?models/")
_SUFFIX = re.compile(r"(?:@[\w.\-]+|-(?:\d{3}|latest))$")

# What a model is on one surface on a given day
AVAILABLE, CLOSED, SHUT_DOWN, ROUTED, NOT_SERVED = (
    "available",
    "closed_to_new_users",
    "shut_down",
    "routed",
    "not_served",
)


class ModelTableError(ValueError):
    """``models.toml`` is malformed or links to a model it does not define; the message says where."""


class Events(namedtuple("Events", "closed_to_new_users shut_down routed_to", defaults=(None, None, None))):
    """What happened to a model on one surface: dates, and the model that answers once ``routed_to``."""

    __slots__ = ()


class Model(
    namedtuple(
        "Model",
        "id stage surfaces events locations released paid_only replacement sources note",
        defaults=({}, (), None, False, None, (), ""),
    )
):
    """One model: its stage, surfaces, events by surface, Agent Platform locations and replacement."""

    __slots__ = ()

    def status(self, surface: str, on: str | date | None = None) -> str:
        """One of ``available``, ``closed_to_new_users``, ``shut_down``, ``routed``, ``not_served``."""
        if surface not in self.surfaces:
            return NOT_SERVED
        events, on = self.events.get(surface, Events()), _day(on)
        if events.shut_down and events.shut_down <= on:
            return ROUTED if events.routed_to else SHUT_DOWN
        if events.closed_to_new_users and events.closed_to_new_users <= on:
            return CLOSED
        return AVAILABLE

    def served_at(self, location: str) -> bool | None:
        """Whether Agent Platform serves the model at *location*; None when no source lists its locations."""
        return location in self.locations if self.locations else None


class ModelTable(namedtuple("ModelTable", "models control")):
    """Models by ID, and the control models in order of preference. Hashed by identity, so answers
    can be cached per table."""

    __slots__ = ()
    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other

    def find(self, name: str | None) -> Model | None:
        """The model *name* refers to, written as callers write it (``models/…``, a resource path,
        ``-001``, ``-latest``, ``@version``); None when the table does not know it."""
        if not name:
            return None
        name = _PREFIX.sub("", name.strip().lower())
        return self.models.get(name) or self.models.get(_SUFFIX.sub("", name))

    def status(self, name: str | None, surface: str | None, on: str | date | None = None) -> str | None:
        """:meth:`Model.status` on *surface*; with no surface, the status shared by every surface that
        serves the model (None when they differ, or the model is unknown)."""
        model = self.find(name)
        if model is None:
            return None
        if surface in SURFACES:
            return model.status(surface, on)
        seen = {model.status(s, on) for s in model.surfaces}
        return seen.pop() if len(seen) == 1 else None

    def describe(
        self, name: str | None, surface: str | None, location: str | None = None, on: str | date | None = None
    ) -> str | None:
        """What the table says of *name* where it was called, as words: its :meth:`status` (when
        known), ``not_at_location`` (an Agent Platform location that does not serve it), ``paid_only``."""
        return _described(self, name, surface, location, _day(on))

    def _describe(self, name: str | None, surface: str | None, location: str | None, on: str) -> str | None:
        model = self.find(name)
        if model is None:
            return None
        words = [self.status(name, surface, on) or ""]
        if location and surface in (VERTEX.id, None) and model.served_at(location) is False:
            words.append("not_at_location")
        if model.paid_only:
            words.append("paid_only")
        return " ".join(filter(None, words)) or None

    def instead_of(
        self, name: str | None, surface: str | None, location: str | None = None, on: str | date | None = None
    ) -> str:
        """The model to name in a fix: :meth:`replacement`, else the :meth:`control_model` there."""
        return _instead_of(self, name, surface, location, _day(on))

    def replacement(
        self, name: str | None, surface: str | None = None, on: str | date | None = None
    ) -> str | None:
        """The model to use instead of *name*: its recommended replacement, followed while that one is
        closed too, else the first control model open on *surface*. None when *name* is open there
        (with no surface: open on every surface that serves it)."""
        model = self.find(name)
        if model is None:
            return None
        surface = surface if surface in SURFACES else None
        if all(model.status(s, on) == AVAILABLE for s in ((surface,) if surface else model.surfaces)):
            return None
        seen = set()
        while model.replacement and model.id not in seen:
            seen.add(model.id)
            model = self.models[model.replacement]
            if self._open(model, surface, on, any_stage=True):
                return model.id
        return self.control_model(surface, on=on)

    def control_model(
        self,
        surface: str | None,
        location: str | None = None,
        avoid: str | None = None,
        on: str | date | None = None,
    ) -> str:
        """The first control model that is GA, open to new users on *surface* (at *location* on Agent
        Platform) and not *avoid* (the model under test)."""
        avoided = self.find(avoid)
        for name in self.control:
            model = self.models[name]
            if model is avoided or not self._open(model, surface, on):
                continue
            if location and surface == VERTEX.id and model.served_at(location) is False:
                continue
            return name
        return self.control[0]

    def _open(self, model: Model, surface: str | None, on: date | None, any_stage: bool = False) -> bool:
        surfaces = (surface,) if surface else model.surfaces
        return (any_stage or model.stage == "ga") and any(model.status(s, on) == AVAILABLE for s in surfaces)


# Answers by (table, question, day): a batch asks the same few questions again and again
@lru_cache(maxsize=1024)
def _described(
    table: ModelTable, name: str | None, surface: str | None, location: str | None, on: str
) -> str | None:
    return table._describe(name, surface, location, on)


@lru_cache(maxsize=1024)
def _instead_of(
    table: ModelTable, name: str | None, surface: str | None, location: str | None, on: str
) -> str:
    return table.replacement(name, surface, on) or table.control_model(surface, location, avoid=name, on=on)


_ISO_DAY = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])")


def today() -> date:
    """Today's date, or the one in ``$GEMINI_DOCTOR_TODAY`` (ISO) when set."""
    from datetime import date

    return date.fromisoformat(today_iso())


def today_iso() -> str:
    """:func:`today` as YYYY-MM-DD (without importing datetime)."""
    value = os.environ.get(TODAY_ENV)
    if value:
        if not _ISO_DAY.fullmatch(value):
            raise ModelTableError(f"${TODAY_ENV} must be an ISO date (YYYY-MM-DD), not {value!r}")
        return value
    return time.strftime("%Y-%m-%d")


def _day(on: str | date | None) -> str:
    """*on* (a date, an ISO day, or None for today) as an ISO day."""
    return today_iso() if on is None else on if isinstance(on, str) else on.isoformat()


@lru_cache(maxsize=4)
def model_table(path: str = MODELS_FILE) -> ModelTable:
    """The table in *path*, validated: every link (replacement, routed_to, control) names a model in it.
    Parsed TOML is kept as JSON in the user's cache folder (see :mod:`gemini_doctor.datacache`)."""
    cache = cache_file("models-2", [path])
    cached = read_cached(cache)
    if isinstance(cached, dict):
        return _table(cached, path)
    import tomllib

    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ModelTableError(f"{os.path.basename(path)}: {exc}") from exc
    raw = _days(raw)
    table = _table(raw, path)
    write_cached(cache, raw)
    return table


def _days(value: object) -> object:
    """*value* with every TOML date as its ISO day (a date that is not a TOML date is left to fail)."""
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat() if len(value.isoformat()) == 10 else value
    if isinstance(value, dict):
        return {k: _days(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_days(v) for v in value]
    return value


def _table(raw: dict, path: str) -> ModelTable:
    models: dict[str, Model] = {}
    for n, entry in enumerate(raw.get("model", ()), 1):
        model = _model(entry, f"{os.path.basename(path)} model {n}")
        if model.id in models:
            raise ModelTableError(f"{os.path.basename(path)}: model {model.id!r} is defined twice")
        models[model.id] = model
    control = tuple(raw.get("control", ()))
    for model in models.values():
        links = [model.replacement, *(e.routed_to for e in model.events.values())]
        for link in filter(None, links):
            if link not in models:
                raise ModelTableError(f"{os.path.basename(path)}: {model.id} links to unknown model {link!r}")
    for name in control:
        if name not in models or models[name].stage != "ga":
            raise ModelTableError(
                f"{os.path.basename(path)}: control model {name!r} is not a GA model of the table"
            )
    if not control:
        raise ModelTableError(f"{os.path.basename(path)}: `control` lists no model")
    return ModelTable(models, control)


def _model(entry: dict, where: str) -> Model:
    unknown = set(entry) - _MODEL_KEYS
    if unknown:
        raise ModelTableError(f"{where}: unknown field(s) {sorted(unknown)}")
    model_id = entry.get("id")
    if not isinstance(model_id, str) or model_id != model_id.lower():
        raise ModelTableError(f"{where}: id must be a lower-case string")
    where = f"{where} ({model_id})"
    if entry.get("stage") not in STAGES:
        raise ModelTableError(f"{where}: stage must be one of {STAGES}")
    surfaces = tuple(entry.get("surfaces", ()))
    if not surfaces or not set(surfaces) <= set(SURFACES):
        raise ModelTableError(f"{where}: surfaces must list some of {SURFACES}")
    events = {}
    for surface in SURFACES:
        if surface not in entry:
            continue
        if surface not in surfaces:
            raise ModelTableError(f"{where}: events for {surface}, which is not among its surfaces")
        given = entry[surface]
        if set(given) - _EVENTS:
            raise ModelTableError(f"{where}: unknown {surface} event(s) {sorted(set(given) - _EVENTS)}")
        for name in ("closed_to_new_users", "shut_down"):
            if name in given and not (isinstance(given[name], str) and _ISO_DAY.fullmatch(given[name])):
                raise ModelTableError(f"{where}: {surface}.{name} must be a date (YYYY-MM-DD)")
        if "routed_to" in given and "shut_down" not in given:
            raise ModelTableError(f"{where}: {surface}.routed_to needs the shut_down date it starts on")
        events[surface] = Events(**given)
    return Model(
        id=model_id,
        stage=entry["stage"],
        surfaces=surfaces,
        events=events,
        locations=tuple(entry.get("locations", ())),
        released=entry.get("released"),
        paid_only=bool(entry.get("paid_only", False)),
        replacement=entry.get("replacement"),
        sources=tuple(entry.get("sources", ())),
        note=" ".join(entry.get("note", "").split()),
    )
