"""What an emulated Google service declares itself with: one module in ``emulator/services/`` each.

Like moto's backends (one package per AWS service, found by listing the package), a service module holds its
state, its handlers and its routes, and ends with ``EMULATED = EmulatedService(...)``: its backend class, the
world sections it owns and any paths it serves outside Google's front end. Adding a service is adding one
module there; nothing else names it (:mod:`.backends` finds it). This module imports none of them at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from starlette.routing import Route

    from .oauth import OAuthState
    from .services.logging_api import AuditLog
    from .world import World


class Backend(Protocol):
    """A service's state and handlers, built once per app from the shared :class:`Context`."""

    def __init__(self, ctx: Context) -> None: ...

    def routes(self) -> list[Route]: ...


class Counters:
    """Calls that reached the services and mutations they made (the emulator's /_emulator/stats)."""

    def __init__(self) -> None:
        self.requests = 0
        self.mutations = 0


@dataclass(frozen=True)
class EmulatedService:
    """One Google service: *name* is its API host; *backend* serves it; *world* maps the top-level world lists
    it alone reads to their entries' type (a dataclass, or ``dict`` for free-form mappings); *local_paths* are
    path prefixes served on the caller's machine, not behind Google's front end."""

    name: str
    backend: type[Backend]
    world: dict[str, type] | None = None
    local_paths: tuple[str, ...] = ()


class Context:
    """What every backend of one app shares: the world, the OAuth state, the counters, the audit log, and each
    other (``backend(cls)``: the one instance of a backend another is built on)."""

    def __init__(self, world: World, oauth: OAuthState, counters: Counters, audit: AuditLog) -> None:
        self.world, self.oauth, self.counters, self.audit = world, oauth, counters, audit
        self._built: dict[type, Backend] = {}

    def backend(self, cls: type[Backend]) -> Backend:
        if cls not in self._built:
            self._built[cls] = cls(self)
        return self._built[cls]
