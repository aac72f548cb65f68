"""Why Google could not be reached, for people: the host, and the kind of failure (DNS, refused, TLS, proxy,
timeout)."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

_PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """*exc* and every exception it was raised from or during, each once."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [
            current.__cause__,
            current.__context__,
            *(a for a in current.args if isinstance(a, BaseException)),
        ]


def failure_kind(exc: BaseException) -> str:
    """``dns``, ``refused``, ``tls``, ``proxy``, ``timeout``, ``reset``, ``too_large`` or ``network``."""
    chain = list(_chain(exc))
    names = " ".join(type(e).__name__ for e in chain)
    if "ReplyTooLarge" in names:
        return "too_large"
    text = " ".join(str(e) for e in chain).lower()
    if (
        any(isinstance(e, socket.gaierror) for e in chain)
        or "name or service not known" in text
        or "name resolution" in text
        or "nodename nor servname" in text
        or "getaddrinfo" in text
    ):
        return "dns"
    if "ProxyError" in names or "proxy" in text:
        return "proxy"
    if any(isinstance(e, ssl.SSLError) for e in chain) or "certificate" in text or "ssl" in text:
        return "tls"
    if (
        any(isinstance(e, ConnectionRefusedError) for e in chain)
        or "connection refused" in text
        or "errno 111" in text
    ):
        return "refused"
    if any(isinstance(e, TimeoutError) for e in chain) or "Timeout" in names or "timed out" in text:
        return "timeout"
    if (
        any(isinstance(e, ConnectionResetError) for e in chain)
        or "reset" in text
        or "RemoteProtocolError" in names
    ):
        return "reset"
    return "network"


def proxy_in_use(env: dict[str, str]) -> str | None:
    """The proxy HTTPS requests go through (from HTTPS_PROXY and the like), without any password in it."""
    value = next((env[name] for name in _PROXY_VARIABLES if env.get(name)), None)
    if value is None:
        return None
    parts = urlsplit(value if "://" in value else f"http://{value}")
    host = parts.hostname or value
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def describe_failure(
    exc: BaseException, host: str | None, proxy: str | None, timeout: float | None = None
) -> str:
    """One line: what failed, on which host (and through which proxy), and what usually causes it."""
    where = host or "Google"
    via = f" through the proxy {proxy} (from HTTPS_PROXY)" if proxy else ""
    kind = failure_kind(exc)
    if kind == "proxy" or (proxy and kind in ("refused", "dns")):
        return (
            f"could not reach {where}{via}: the proxy refused or failed the connection; check "
            "HTTPS_PROXY and NO_PROXY"
        )
    return {
        "dns": (
            f"could not reach {where}: its name does not resolve (DNS); check the network, VPN or /etc/hosts"
        ),
        "refused": (
            f"could not reach {where}{via}: the connection was refused; is the address (or --endpoint) right?"
        ),
        "tls": f"could not reach {where}{via}: the TLS handshake failed (certificate not trusted: a proxy or "
        "antivirus that intercepts HTTPS? set REQUESTS_CA_BUNDLE / SSL_CERT_FILE to its CA)",
        "timeout": f"could not reach {where}{via}: no answer" + (f" within {timeout:g} s" if timeout else ""),
        "reset": f"could not reach {where}{via}: the connection was reset (a firewall or proxy in between?)",
        "too_large": (
            f"could not use {where}'s answer: far too long to be Google's (a portal or a wrong --endpoint?)"
        ),
    }.get(kind, f"could not reach {where}{via}: the network failed ({type(exc).__name__})")


def host_of(url: str | None) -> str | None:
    """The host (and port, when given) of *url*."""
    if not url:
        return None
    parts = urlsplit(url)
    return parts.netloc.rpartition("@")[2] or None
