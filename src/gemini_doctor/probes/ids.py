"""Probe IDs, known from the file tree before any probe module is imported, and the needs declared with them.

A probe declares the probes it needs with :func:`requires` at its module's top level, so a misspelt ID fails
when that module is imported, naming its file and line (see :mod:`.registry` for the rest of the rules).
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


class ProbeError(Exception):
    """A probe module that breaks the registry's rules, or a probe ID that names no probe."""


def require_probes(*ids: str, where: str) -> tuple[str, ...]:
    """*ids*, each the ID of a probe; else :class:`ProbeError` naming *where* (for registries keyed by probe
    ID, and for :class:`Needs`)."""
    unknown = [probe_id for probe_id in ids if probe_id not in probe_ids()]
    if unknown:
        raise ProbeError(f"{where} names unknown probe(s) {unknown}; known: {', '.join(sorted(probe_ids()))}")
    return ids


class Needs(tuple):
    """The IDs of the probes a probe needs, each checked to name a probe when made (see :func:`requires`)."""

    where: str  # the file and line that declared them

    def __new__(cls, ids: tuple[str, ...], where: str) -> Needs:
        needs = super().__new__(cls, require_probes(*ids, where=f"{where}: needs"))
        needs.where = where
        return needs

    def replacing(self, old: str, new: str) -> Needs:
        """These needs with *old* replaced by *new* (checked again, naming the same declaration)."""
        return Needs(tuple(new if need == old else need for need in self), self.where)


NO_NEEDS = Needs((), __name__)  # a probe that needs no other


def requires(*ids: str) -> Needs:
    """*ids* as a probe's needs, declared at a module's top level and checked there: a misspelt ID raises
    :class:`ProbeError` naming the file and line, so a broken declaration fails at import rather than when
    a check plan is built."""
    caller = sys._getframe(1)
    where = f"{caller.f_code.co_filename}:{caller.f_lineno}"
    if caller.f_code.co_name != "<module>":
        raise ProbeError(f"{where}: requires() declares needs at a module's top level, checked at import")
    return Needs(ids, where)


@cache
def probe_ids() -> frozenset[str]:
    """Every probe's ID: the file name of each module in an API package (``probes/<google_api>/<id>.py``),
    read from the file tree, so known before any probe module is imported."""
    return frozenset(
        path.stem
        for path in Path(__file__).parent.glob("*/*.py")
        if (path.parent / "__init__.py").is_file() and not path.stem.startswith("_")
    )
