"""The cause catalogue: one TOML file per cause ID in ``causes/``, loaded and validated here.

To add knowledge, edit or add a file there; the engine needs no change. See README
("Adding a cause") for the file format.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import cached_property, lru_cache

from .. import __version__
from ..datacache import cache_file, code_digest, read_cached, write_cached
from ..matching.literals import required_literals
from ..matching.prefilter import LiteralScanner, Prefiltered, Scanned
from .links import PACKAGE, check_links, fact_files, where_named
from .model import RETRY_ADVICE, CatalogueError, Cause, FixStep, Signal

CAUSES_DIR = os.path.join(os.path.dirname(__file__), "causes")
CACHE_FORMAT = 4
# The code whose results the cache holds, and whose checks a cached load skips (paths in the package): the
# cache is keyed by these files too, so changed code is never answered from a copy the old code wrote.
_CODE = (
    "catalogue/__init__.py",
    "catalogue/model.py",
    "catalogue/links.py",
    "matching/literals.py",
    "matching/prefilter.py",
    "evidence/record.py",
    "google/services.py",
)
_SIGNAL_KEYS = {
    "weight",
    "says",
    "reason",
    "text",
    "status",
    "code",
    "surface",
    "fields",
    "fact",
    "fallback",
    "demote",
    "settles",
}
_CAUSE_KEYS = {"title", "why", "retry", "checks", "fix", "signal"}
_STEP_KEYS = {"step", "command", "url", "when", "unless"}


class Catalogue(dict):
    """Causes by ID, plus an index from what a signal needs (a literal of its pattern, an ErrorInfo
    reason, a live fact) to the signal, so ranking looks only at signals that can match."""

    @cached_property
    def _signals(self) -> list[tuple[str, Signal]]:
        return [(cause.id, signal) for cause in self.values() for signal in cause.signals]

    @cached_property
    def field_names(self) -> frozenset[str]:
        """The record fields some signal's ``fields`` condition reads."""
        return frozenset(name for _, signal in self._signals for name, _ in signal.fields)

    @cached_property
    def _index(self) -> tuple[list[int], dict[str, list[int]], dict[object, list[int]], LiteralScanner]:
        always, by_literal, by_key = [], {}, {}
        for position, (_, signal) in enumerate(self._signals):
            if signal.text is not None and signal.text.literals is not None:
                for literal in signal.text.literals:
                    by_literal.setdefault(literal, []).append(position)
                continue
            keys = _index_keys(signal)
            for key in keys:
                by_key.setdefault(key, []).append(position)
            if not keys:
                always.append(position)
        return always, by_literal, by_key, LiteralScanner(by_literal)

    def scan(self, text: str, lowered: str | None = None) -> Scanned:
        """*text* (*lowered*: its lower case from :func:`~..matching.literals.lower_in_step`, when known)
        scanned for the literals of the catalogue's patterns, for :meth:`candidates` and their searches."""
        return Scanned(text, self._index[3], lowered)

    def candidates(self, scanned: Scanned, keys: Iterable[object] = ()) -> list[tuple[str, Signal]]:
        """The (cause id, signal) pairs that can match, in catalogue order: by the literals found in
        *scanned* (from :meth:`scan`), and by *keys*: the record's reasons, ``("status", s)``,
        ``("code", n)``, ``("surface", s)``, ``("field", name)`` for each filled field, and the live facts."""
        always, by_literal, by_key, _ = self._index
        positions = set(always)
        for literal in scanned.found:
            positions.update(by_literal[literal])
        for key in keys:
            where = by_key.get(key)
            if where:
                positions.update(where)
        return [self._signals[p] for p in sorted(positions)]


def _index_keys(signal: Signal) -> set | frozenset:
    """Keys one of which the evidence must carry for *signal* to match: its most selective
    condition that is a plain value (empty when it has none, e.g. only field patterns)."""
    if signal.reasons or signal.facts:
        return signal.reasons | signal.facts
    for kind, values in (("status", signal.statuses), ("code", signal.codes), ("surface", signal.surfaces)):
        if values:
            return {(kind, value) for value in values}
    return {("field", name) for name, _ in signal.fields[:1]}


@lru_cache(maxsize=1)
def load_catalogue(directory: str | os.PathLike = CAUSES_DIR) -> Catalogue:
    """All causes by ID, in file-name order.

    Parsing the TOML and analysing the patterns costs more than the rest of `explain`, so the
    parsed form is cached as JSON under the user's cache folder, keyed by the package version, a hash
    of the code that computes it, and the names, sizes and modification times of the files; without
    a usable cache folder the files are simply parsed. Building the cache checks every link a cause
    file makes (:mod:`.links`).
    """
    files = sorted(
        (entry.name[:-5], entry.path) for entry in os.scandir(directory) if entry.name.endswith(".toml")
    )
    cache = _cache_path(directory, [path for _, path in files])
    cached = read_cached(cache)
    try:
        data, literals = cached["data"], cached["literals"]
    except (KeyError, TypeError):
        cached, data, literals = None, {stem: _parse(stem, path) for stem, path in files}, {}
    causes = Catalogue((stem, _build_cause(stem, raw, literals)) for stem, raw in data.items())
    if cached is None:
        _check_patterns(causes)
        check_links(causes, dict(files))
        write_cached(cache, {"data": data, "literals": literals})
    return causes


def require_causes(ids: Iterable[str], where: str) -> tuple[str, ...]:
    """*ids* (cause IDs the package file *where* names, or the keys of a registry there), each a cause; else
    :class:`CatalogueError` naming *where* and the line of the first unknown ID."""
    ids = tuple(ids)
    unknown = sorted(set(ids) - load_catalogue().keys())
    if unknown:
        raise CatalogueError(
            f"{where_named(where, unknown[0])} names unknown cause ID(s) {unknown}; see catalogue/causes/"
        )
    return ids


def _cache_path(directory: str | os.PathLike, paths: list[str]) -> str | None:
    """The cache's file: keyed by the package version, a hash of the code that computes it, and the
    stamps of the cause files and the fact declarations its link check reads."""
    digest = code_digest([os.path.join(PACKAGE, name) for name in _CODE])
    if digest is None:
        return None
    kind = f"catalogue-{CACHE_FORMAT}-{__version__}-{digest}"
    return cache_file(kind, [os.fspath(directory), *fact_files(), *paths])


def _parse(stem: str, path: str) -> dict:
    import tomllib

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{stem}.toml: {exc}") from exc


def _check_patterns(causes: Catalogue) -> None:
    """What the cache lets later loads skip (with :func:`.links.check_links`): every pattern compiles."""
    for cause in causes.values():
        for n, signal in enumerate(cause.signals, 1):
            where = f"{cause.id}.toml signal {n}"
            try:
                if signal.text is not None:
                    signal.text.regex  # noqa: B018 - compiles, folded as it will run
                for _, pattern in signal.fields:
                    pattern.regex  # noqa: B018 - compiles it
            except re.error as exc:
                raise CatalogueError(f"{where}: bad pattern: {exc}") from exc
        for n, step in enumerate(cause.fix, 1):
            try:
                for _, pattern in step.when + step.unless:
                    pattern.regex  # noqa: B018 - compiles it
            except re.error as exc:
                raise CatalogueError(f"{cause.id}.toml fix {n}: bad pattern: {exc}") from exc


def _build_cause(stem: str, data: dict, literals: dict) -> Cause:
    """Validate one cause's data and build it; *literals* caches each pattern's prefilter."""
    where = f"{stem}.toml"
    unknown = set(data) - _CAUSE_KEYS
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {sorted(unknown)}")
    for key in ("title", "why", "retry"):
        if not isinstance(data.get(key), str):
            raise CatalogueError(f"{where}: {key!r} must be a string")
    if data["retry"] not in RETRY_ADVICE:
        raise CatalogueError(f"{where}: retry must be one of {sorted(RETRY_ADVICE)}")
    return Cause(
        id=stem,
        title=data["title"],
        why=" ".join(data["why"].split()),
        retry=data["retry"],
        checks=tuple(data.get("checks", ())),
        fix=tuple(_load_step(step, f"{where} fix {n + 1}") for n, step in enumerate(data.get("fix", ()))),
        signals=tuple(
            _load_signal(s, f"{where} signal {n + 1}", literals) for n, s in enumerate(data.get("signal", ()))
        ),
    )


def _load_step(raw: dict, where: str) -> FixStep:
    unknown = set(raw) - _STEP_KEYS
    if unknown or not isinstance(raw.get("step"), str):
        raise CatalogueError(f"{where}: needs a step text; unknown field(s) {sorted(unknown)}")
    conditions = {key: _field_patterns(raw.get(key, {}), f"{where} {key}") for key in ("when", "unless")}
    return FixStep(step=raw["step"], command=raw.get("command"), url=raw.get("url"), **conditions)


def _field_patterns(given: dict, where: str) -> tuple:
    if not isinstance(given, dict):
        raise CatalogueError(f"{where}: must map record fields to patterns")
    return tuple((name, Prefiltered(str(pattern), literals=None)) for name, pattern in given.items())


def _load_signal(raw: dict, where: str, literals: dict) -> Signal:
    unknown = set(raw) - _SIGNAL_KEYS
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {sorted(unknown)}")
    weight = raw.get("weight")
    if not isinstance(weight, (int, float)) or not 0 < weight <= 1:
        raise CatalogueError(f"{where}: weight must be a number in (0, 1]")
    if not (set(raw) & {"reason", "text", "status", "code", "surface", "fields", "fact"}):
        raise CatalogueError(f"{where}: a signal needs at least one condition")
    text = raw.get("text")
    if text is not None:
        if not isinstance(text, str):
            raise CatalogueError(f"{where}: text must be a string pattern")
        if text not in literals:
            literals[text] = required_literals(text)
    return Signal(
        weight=float(weight),
        says=raw.get("says", ""),
        reasons=frozenset(_as_list(raw.get("reason"))),
        text=Prefiltered(text, literals=literals[text]) if text else None,
        statuses=frozenset(_as_list(raw.get("status"))),
        codes=frozenset(_as_list(raw.get("code"))),
        surfaces=frozenset(_as_list(raw.get("surface"))),
        fields=_field_patterns(raw.get("fields", {}), f"{where} fields"),
        facts=frozenset(_as_list(raw.get("fact"))),
        fallback=bool(raw.get("fallback", False)),
        demote=tuple(raw.get("demote", {}).items()),
        settles=bool(raw.get("settles", True)),
    )


def _as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


__all__ = [
    "Catalogue",
    "Cause",
    "CatalogueError",
    "FixStep",
    "Signal",
    "load_catalogue",
    "require_causes",
    "RETRY_ADVICE",
]
