"""Every emulated service, found by listing ``emulator/services/`` (see :mod:`.registry`), and worlds loaded
with the lists those services own.

The service modules import the world's types, so the world module cannot find them itself: it is given
their sections (:func:`.world.build_world`), here.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from pathlib import Path

from .registry import EmulatedService
from .world import World, build_world


def load_world(source: str | Path | dict) -> World:
    """A world from a YAML/JSON file path or an already-parsed mapping, the services' own lists included."""
    return build_world(source, world_sections())


@functools.cache
def services() -> tuple[EmulatedService, ...]:
    """Every service module's declaration, in module-name order; a module without one fails here, by name."""
    from . import services as package

    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        service = getattr(module, "EMULATED", None)
        if not isinstance(service, EmulatedService):
            raise TypeError(f"emulator/services/{info.name}.py declares no EMULATED = EmulatedService(...)")
        found.append(service)
    return tuple(found)


def world_sections() -> dict[str, type]:
    """The top-level world lists the services own, with their entries' type."""
    return {name: entry for service in services() for name, entry in (service.world or {}).items()}
