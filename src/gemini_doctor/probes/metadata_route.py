"""Where google-auth would reach the machine's metadata server, for the environment being diagnosed.

google-auth reads NO_GCE_CHECK and GCE_METADATA_HOST once, when ``google.auth.compute_engine`` is first
imported. A long-lived process (the library, a test session, the demo) that imported it earlier keeps those
values whatever environment it diagnoses later: its metadata check could wait 3 s per try and send traffic to
169.254.169.254 after ``--endpoint``, ask the real metadata server for an emulated machine's token, or
(imported with NO_GCE_CHECK=true) never look for a metadata server that is there. So the route is decided
here from the diagnosed environment: it turns google-auth's check on or off while discovery runs
(:func:`google_auth_under`), and the token transport (:mod:`.auth`) applies it to google-auth's
metadata requests (they all carry ``Metadata-Flavor: Google``): sent where a freshly imported google-auth
would send them or, with the check off, answered locally as "no metadata server".
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

# Google's defaults, as google-auth documents them (environment_vars.GCE_METADATA_HOST / GCE_METADATA_IP)
DEFAULT_HOST = "metadata.google.internal"
DEFAULT_IP = "169.254.169.254"
FLAVOR = ("metadata-flavor", "google")  # the header every metadata request carries, lower-cased
_METADATA_MODULE = "google.auth.compute_engine._metadata"  # what reads the variables above when imported


@dataclass(frozen=True)
class MetadataRoute:
    """*host* serves ``/computeMetadata/v1/...``, *ip* answers google-auth's ping; *checked* False means
    NO_GCE_CHECK=true (or ``--endpoint`` with no emulated metadata server): nothing is sent."""

    host: str = DEFAULT_HOST
    ip: str = DEFAULT_IP
    checked: bool = True

    def target(self, url: str) -> str | None:
        """The URL a fresh google-auth would use for metadata request *url*; None when the check is off."""
        if not self.checked:
            return None
        parts = urlsplit(url)
        where = self.host if parts.path.startswith("/computeMetadata/") else self.ip
        return parts._replace(netloc=where).geturl()


def metadata_route(env: dict[str, str], endpoint: str | None) -> MetadataRoute:
    """The route under *env*; with *endpoint* (the emulator) the check is off unless env.sh names one."""
    off = env.get("NO_GCE_CHECK") == "true" or bool(endpoint and not env.get("GCE_METADATA_IP"))
    host = env.get("GCE_METADATA_HOST") or env.get("GCE_METADATA_ROOT") or DEFAULT_HOST
    return MetadataRoute(host, env.get("GCE_METADATA_IP") or DEFAULT_IP, not off)


@contextmanager
def google_auth_under(env: dict[str, str], route: MetadataRoute) -> Iterator[bool]:
    """While inside, google-auth sees *env* as a process started with it would: ``os.environ`` is *env*,
    and google-auth looks for the metadata server or not as *route* says, whatever NO_GCE_CHECK was when
    this process imported google-auth's metadata module. On leaving, the process's own environment is back,
    and a metadata module first imported inside reads it again (else code in this process would keep the
    diagnosed environment's metadata host). Yields True when this process's own google-auth skips a check
    the route makes: code running here then finds no metadata-server credential."""
    module = sys.modules.get(_METADATA_MODULE)  # not imported yet: it reads *env* when google-auth imports it
    frozen = getattr(module, "_NO_GCE_CHECK", None)
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    if isinstance(frozen, bool):
        module._NO_GCE_CHECK = not route.checked
    try:
        yield frozen is True and route.checked
    finally:
        os.environ.clear()
        os.environ.update(saved)
        if isinstance(frozen, bool):
            module._NO_GCE_CHECK = frozen
        elif module is None and _METADATA_MODULE in sys.modules:
            importlib.reload(sys.modules[_METADATA_MODULE])


def is_metadata_request(headers: dict) -> bool:
    return any((name.lower(), str(value).lower()) == FLAVOR for name, value in headers.items())
