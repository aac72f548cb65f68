"""The cause catalogue: one TOML file per cause ID in ``causes/``, loaded and validated here.

To add knowledge, edit or add a file there; the engine needs no change. See README
("Adding a cause") for the file format.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from .literals import Prefiltered, required_literals
from .model import RETRY_ADVICE, Cause, FixStep, Signal

CAUSES_DIR = Path(__file__).with_name("causes")
_SIGNAL_KEYS = {"weight", "says", "reason", "text", "status", "code", "surface", "fields", "fact", "fallback", "demote"}
_CAUSE_KEYS = {"title", "why", "retry", "checks", "fix", "signal"}


class CatalogueError(ValueError):
    """A catalogue file is malformed; the message names the file and the field."""


@lru_cache(maxsize=1)
def load_catalogue(directory: Path = CAUSES_DIR) -> dict[str, Cause]:
    """All causes by ID, in file-name order."""
    causes = {path.stem: _load_cause(path) for path in sorted(directory.glob("*.toml"))}
    for cause in causes.values():
        for signal in cause.signals:
            for target, _ in signal.demote:
                if target not in causes:
                    raise CatalogueError(f"{cause.id}.toml: demote names unknown cause {target!r}")
    return causes


def _load_cause(path: Path) -> Cause:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{path.name}: {exc}") from exc
    where = path.name
    unknown = set(data) - _CAUSE_KEYS
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {sorted(unknown)}")
    for key in ("title", "why", "retry"):
        if not isinstance(data.get(key), str):
            raise CatalogueError(f"{where}: {key!r} must be a string")
    if data["retry"] not in RETRY_ADVICE:
        raise CatalogueError(f"{where}: retry must be one of {sorted(RETRY_ADVICE)}")
    return Cause(
        id=path.stem,
        title=data["title"],
        why=" ".join(data["why"].split()),
        retry=data["retry"],
        checks=tuple(data.get("checks", ())),
        fix=tuple(FixStep(**step) for step in data.get("fix", ())),
        signals=tuple(_load_signal(s, f"{where} signal {n + 1}") for n, s in enumerate(data.get("signal", ()))),
    )


def _load_signal(raw: dict, where: str) -> Signal:
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
        _check_pattern(text, where)
    try:
        return Signal(
            weight=float(weight),
            says=raw.get("says", ""),
            reasons=frozenset(_as_list(raw.get("reason"))),
            text=Prefiltered(text) if text else None,
            statuses=frozenset(_as_list(raw.get("status"))),
            codes=frozenset(_as_list(raw.get("code"))),
            surfaces=frozenset(_as_list(raw.get("surface"))),
            fields=tuple((name, re.compile(pattern, re.I)) for name, pattern in raw.get("fields", {}).items()),
            facts=frozenset(_as_list(raw.get("fact"))),
            fallback=bool(raw.get("fallback", False)),
            demote=tuple(raw.get("demote", {}).items()),
        )
    except re.error as exc:
        raise CatalogueError(f"{where}: bad pattern: {exc}") from exc


def _check_pattern(pattern: object, where: str) -> None:
    """Reject a non-string or invalid pattern without compiling it (compiling waits for first use)."""
    if not isinstance(pattern, str):
        raise CatalogueError(f"{where}: text must be a string pattern")
    if required_literals(pattern) is None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CatalogueError(f"{where}: bad pattern: {exc}") from exc


def _as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


__all__ = ["Cause", "CatalogueError", "FixStep", "Signal", "load_catalogue", "RETRY_ADVICE"]
