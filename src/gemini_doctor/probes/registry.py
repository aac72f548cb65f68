"""Every probe, found the way gcpdiag finds its lint rules: one package per Google API, one module per probe.

A probe module's file name is its ID and the first line of its docstring its checklist title (``{model}``,
``{service}`` and ``{permission}`` are filled from the setup). It defines:

- ``FACTS``: the facts it may establish, each with its meaning (a catalogue signal's ``fact = "…"`` may name
  only a declared fact: :func:`gemini_doctor.catalogue.links.declared_facts` reads these);
- ``ORDER``: its line in the checklist;
- ``needs(setup)``: the probes that must succeed before it runs, declared with :func:`.ids.requires` (so a
  misspelt probe ID fails when the module is imported, naming its file and line), or None when the setup
  does not call for it;
- ``AFTER`` (optional): probes whose outcome, whatever it is, it reads (declared with ``requires`` too);
- ``PURPOSES`` (optional, else ``("call",)``): what ``check`` asks that it answers: the app's call, or whether
  the signed-in account may create a key (``--for key-creation``); ``TITLES`` (optional) its title per
  purpose;
- ``async run(ctx) -> Outcome``, reaching Google only through ``ctx.http`` (:class:`.transport.GoogleHttp`).

A module in an API package that breaks these rules, or a plan naming a probe that does not exist, fails at
load.
"""

from __future__ import annotations

import importlib
import pkgutil
import string
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from ..google.access import PREDICT
from ..google.services import service_of
from . import FOR_CALL, PURPOSES
from .discovery import Setup
from .ids import Needs, ProbeError, require_probes
from .runner import Probe

# Named by catalogue entries, established by no probe yet: `check` sends each credential the one right way,
# so how the app sends its key is not something it observes.
PLANNED_FACTS = {"key_sent_as_bearer": "the app sends its API key as an OAuth bearer token"}
TITLE_FIELDS = ("model", "service", "permission")


@dataclass(frozen=True)
class ProbeModule:
    id: str
    title: str  # a template over TITLE_FIELDS
    order: int
    facts: dict[str, str]
    module: ModuleType
    purposes: tuple[str, ...] = (FOR_CALL,)

    def probe(self, setup: Setup) -> Probe | None:
        """The probe for *setup*, or None when the setup does not call for it."""
        needs = self.module.needs(setup) if setup.purpose in self.purposes else None
        if needs is None:
            return None
        if not isinstance(needs, Needs):  # every Needs was checked when made: at import, by requires()
            raise ProbeError(
                f"{self.module.__name__}: needs() returns {needs!r}, not a requires(...) declaration"
            )
        fields = {"model": setup.model, "service": service_of(setup.surface), "permission": PREDICT}
        title = getattr(self.module, "TITLES", {}).get(setup.purpose, self.title)
        return Probe(
            self.id, title.format(**fields), self.module.run, tuple(needs), getattr(self.module, "AFTER", ())
        )


@cache
def probe_modules() -> dict[str, ProbeModule]:
    """Every probe module by ID, in checklist order (each checked against the rules above)."""
    from .. import probes

    found: dict[str, ProbeModule] = {}
    for api in pkgutil.iter_modules(probes.__path__, probes.__name__ + "."):
        if not api.ispkg:
            continue
        package = importlib.import_module(api.name)
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if not info.name.rpartition(".")[2].startswith("_"):
                entry = _load(importlib.import_module(info.name))
                if entry.id in found:
                    raise ProbeError(
                        f"two probes named {entry.id!r}: {found[entry.id].module.__name__} and {info.name}"
                    )
                found[entry.id] = entry
    orders = [entry.order for entry in found.values()]
    if len(set(orders)) != len(orders):
        raise ProbeError(f"two probes share an ORDER: {sorted(orders)}")
    _check_links(found)
    return dict(sorted(found.items(), key=lambda item: item[1].order))


def _load(module: ModuleType) -> ProbeModule:
    where = module.__name__
    title = (module.__doc__ or "").strip().splitlines()[0:1]
    if not title:
        raise ProbeError(f"{where}: no docstring (its first line is the probe's title)")
    unknown = {name for _, name, _, _ in string.Formatter().parse(title[0]) if name} - set(TITLE_FIELDS)
    if unknown:
        raise ProbeError(f"{where}: title names {sorted(unknown)}; known: {', '.join(TITLE_FIELDS)}")
    for name in ("FACTS", "ORDER", "needs", "run"):
        if not hasattr(module, name):
            raise ProbeError(f"{where}: a probe module defines {name} (see probes/registry.py)")
    facts = module.FACTS
    if not isinstance(facts, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in facts.items()
    ):
        raise ProbeError(f"{where}: FACTS maps each fact's name to its meaning")
    purposes = tuple(getattr(module, "PURPOSES", (FOR_CALL,)))
    if not purposes or set(purposes) - set(PURPOSES) or set(getattr(module, "TITLES", {})) - set(purposes):
        raise ProbeError(f"{where}: PURPOSES (and TITLES' keys) are among {', '.join(PURPOSES)}")
    return ProbeModule(where.rpartition(".")[2], title[0], module.ORDER, facts, module, purposes)


def _check_links(found: dict[str, ProbeModule]) -> None:
    for entry in found.values():
        require_probes(*getattr(entry.module, "AFTER", ()), where=f"{entry.module.__name__}: AFTER")


def plan(setup: Setup) -> list[Probe]:
    """The probes for this setup, in checklist order (none when the user's client would not even start)."""
    if setup.start_error:
        return []
    return [probe for entry in probe_modules().values() if (probe := entry.probe(setup))]
