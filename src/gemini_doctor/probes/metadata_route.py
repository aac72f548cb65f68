"""Where google-auth would reach the machine's metadata server, for the environment being diagnosed.

google-auth reads NO_GCE_CHECK and GCE_METADATA_HOST once, when ``google.auth.compute_engine`` is first
imported. A long-lived process (the library, a test session, the demo) that imported it earlier keeps those
values whatever environment it diagnoses later: its metadata check could wait 3 s per try and send traffic to
169.254.169.254 after ``--endpoint``, ask the real metadata server for an emulated machine's token, or
(imported with NO_GCE_CHECK=true) never look for a metadata server that is there. So the route is decided
here from the diagnosed environment: it turns google-auth's check on or off while discovery runs
(:func:`followed_by_google_auth`), and the token transport (:mod:`.auth`) applies it to google-auth's
metadata requests (they all carry ``Metadata-Flavor: Google``): sent where a freshly imported google-auth
would send them or, with the check off, answered locally as "no metadata server".
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

# Google's defaults, as google-auth documents them (environment_vars.GCE_METADATA_HOST / GCE_METADATA_IP)
DEFAULT_HOST = "metadata.google.internal"
DEFAULT_IP = "169.254.169.254"
FLAVOR = ("metadata-flavor", "google")  # the header every metadata request carries, lower-cased


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
def followed_by_google_auth(route: MetadataRoute) -> Iterator[bool]:
    """While inside, google-auth looks for the metadata server or not as *route* says, whatever NO_GCE_CHECK
    was when this process imported its metadata module (restored on leaving). Yields True when this process's
    own google-auth skips a check the route makes: code running here finds no metadata-server credential."""
    module = sys.modules.get("google.auth.compute_engine._metadata")  # not imported yet: it reads the env
    frozen = getattr(module, "_NO_GCE_CHECK", None)
    if not isinstance(frozen, bool):
        yield False
        return
    module._NO_GCE_CHECK = not route.checked
    try:
        yield frozen and route.checked
    finally:
        module._NO_GCE_CHECK = frozen


def is_metadata_request(headers: dict) -> bool:
    return any((name.lower(), str(value).lower()) == FLAVOR for name, value in headers.items())
