"""The catalogue's links to the rest of the product, checked whenever the catalogue is built.

A cause file names facts (that `check` establishes: each probe module's ``FACTS``, read here from the source
so that explain never imports the probes), record fields (of
:class:`~gemini_doctor.evidence.record.ErrorRecord`), ``{placeholders}`` (:data:`.model.PLACEHOLDERS`),
surfaces (Google's vocabulary) and other causes (``demote``). A name that resolves to nothing fails
the load, with the file and line, instead of becoming a signal that silently never matches.
"""

from __future__ import annotations

import os
import re

from .model import PLACEHOLDERS, CatalogueError, Cause

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLANNED = "planned"
# Where facts are declared: probe modules, discovery and the verdict's comparisons (FACTS), and the registry's
# facts that no probe establishes yet (PLANNED_FACTS)
_DECLARATIONS = {"FACTS": None, "PLANNED_FACTS": PLANNED}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fact_files() -> list[str]:
    """The modules that may declare facts: every probe module, discovery, the probe registry and the
    verdict. (Listed with os.scandir: every start-up stamps them for the catalogue cache's key, and
    importing glob would cost more than the listing.)"""
    probes = os.path.join(PACKAGE, "probes")
    folders = [probes, *(entry.path for entry in _listed(probes) if entry.is_dir())]
    python = [entry.path for folder in folders for entry in _listed(folder) if entry.name.endswith(".py")]
    return sorted(python) + [os.path.join(PACKAGE, "verdict.py")]


def _listed(folder: str) -> list[os.DirEntry]:
    """What *folder* holds, hidden entries left out (as glob leaves them out)."""
    return [entry for entry in os.scandir(folder) if not entry.name.startswith(".")]


def declared_facts() -> dict[str, dict]:
    """The facts `check` may establish, by name: ``{"meaning": …, "by": …}`` where *by* is the module that
    declares it (a probe's ID, ``discovery``, ``verdict``) or ``planned``."""
    import ast  # only when the catalogue is built anew: importing it costs half a bare start-up

    facts: dict[str, dict] = {}
    for path in fact_files():
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), path)
        for node in tree.body:
            target = (
                node.target
                if isinstance(node, ast.AnnAssign)
                else node.targets[0]
                if isinstance(node, ast.Assign)
                else None
            )
            if isinstance(target, ast.Name) and target.id in _DECLARATIONS and node.value is not None:
                by = _DECLARATIONS[target.id] or os.path.basename(path)[:-3]
                for name, meaning in ast.literal_eval(node.value).items():
                    if name in facts:
                        raise CatalogueError(
                            f"fact {name!r} is declared twice: by {facts[name]['by']} and by {by}"
                        )
                    facts[name] = {"meaning": meaning, "by": by}
    return facts


def check_links(causes: dict[str, Cause], paths: dict[str, str]) -> None:
    """Raise :class:`CatalogueError` for the first name in *causes* (read from *paths*, by cause ID) that
    resolves to nothing."""
    from ..evidence.record import FIELDS
    from ..google.services import SURFACES

    facts = declared_facts()
    for cause in causes.values():
        path = paths[cause.id]
        texts = (cause.title, cause.why, *cause.checks, *(t for step in cause.fix for t in step[:3] if t))
        for text in texts:
            for name in _PLACEHOLDER.findall(text):
                if name not in PLACEHOLDERS:
                    _fail(
                        path,
                        None,
                        f"{{{name}}}",
                        f"unknown placeholder {{{name}}}; known: {', '.join(sorted(PLACEHOLDERS))}",
                    )
        for n, signal in enumerate(cause.signals):
            for fact in sorted(signal.facts - facts.keys()):
                _fail(
                    path,
                    n,
                    fact,
                    f"fact {fact!r} is not declared by any probe module's FACTS (no check establishes it)",
                )
            _check_fields(path, "[[signal]]", n, signal.fields, FIELDS)
            for surface in sorted(signal.surfaces - SURFACES.keys()):
                _fail(path, n, surface, f"unknown surface {surface!r}; known: {', '.join(SURFACES)}")
            for target, _ in signal.demote:
                if target not in causes:
                    _fail(path, n, target, f"demote names unknown cause {target!r}")
        for n, step in enumerate(cause.fix):
            _check_fields(path, "[[fix]]", n, step.when + step.unless, FIELDS)


def where_named(relative: str, name: str) -> str:
    """``<relative>:<line>``: the package file *relative* (``emulator/scenarios.py``) with the first line
    where *name* stands quoted; *relative* alone when no line does."""
    try:
        with open(os.path.join(PACKAGE, relative), encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if f'"{name}"' in line:
                    return f"{relative}:{number}"
    except OSError:
        pass
    return relative


def _check_fields(path: str, table: str, n: int, fields: tuple, known: tuple[str, ...]) -> None:
    for name, _ in fields:
        if name not in known:
            _fail(path, n, name, f"{name!r} is not an ErrorRecord field; known: {', '.join(known)}", table)


def _fail(path: str, n: int | None, needle: str, message: str, table: str = "[[signal]]") -> None:
    raise CatalogueError(f"{os.path.basename(path)}:{_line(path, n, needle, table)}: {message}")


def _line(path: str, n: int | None, needle: str, table: str) -> int:
    """The line of *needle* in the file: within its *n*-th *table* (0-based) when *n* is given."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return 0
    start, seen = 0, -1
    if n is not None:
        for number, line in enumerate(lines):
            if line.strip() == table:
                seen += 1
                if seen == n:
                    start = number
                    break
    for number in range(start, len(lines)):
        if needle in lines[number]:
            return number + 1
    return start + 1
