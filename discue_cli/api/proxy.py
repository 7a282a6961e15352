"""The proxy the environment puts between discue and its endpoint (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY,
less NO_PROXY), decided here with the standard library's own reading of those variables and handed
to httpx as `proxy=`: so error lines can name it (credentials redacted) without asking httpx which
transports it mounted, and a setting httpx could not use is one line, not a traceback."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from discue_cli.errors import UsageError
from discue_cli.redaction import redact_url

USABLE = ("http", "https")  # SOCKS would need the socksio package, which discue does not ship


@dataclass(frozen=True)
class Proxy:
    url: str  # as given, credentials included: httpx sends them to the proxy only
    shown: str  # 'the proxy http://***@host:port (from HTTP_PROXY)', for error lines


def setting(scheme: str) -> tuple[str, str] | None:
    """The variable that sets the proxy for `scheme`, and its value: the lowercase one wins, as in urllib."""
    for name in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY"):
        value = os.environ.get(name)
        if value:
            return name, value
    return None


def proxy_url(value: str) -> str:
    return value if "://" in value else f"http://{value}"  # a bare host:port, as curl and httpx read it


def check(name: str, value: str) -> None:
    """Refuse, in one line, a proxy setting httpx could not use (a SOCKS or ftp:// URL, a bad port)."""
    url = proxy_url(value)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, -1
    if parts is None or parts.scheme not in USABLE or not parts.hostname or (port is not None and not 0 < port < 65536):
        raise UsageError(
            f"{name} is not a proxy discue can use: {redact_url(url)}",
            hint="set it to an http:// or https:// proxy URL (http://host:port), or unset it",
        )


def for_endpoint(endpoint: str) -> Proxy | None:
    """The proxy the environment sets for `endpoint`, or None where it goes direct (no setting, or
    NO_PROXY names its host)."""
    import urllib.request

    parts = urlsplit(endpoint)
    proxies = urllib.request.getproxies_environment()
    scheme = parts.scheme.lower()
    chosen = scheme if proxies.get(scheme) else "all" if proxies.get("all") else None
    if chosen is None:
        return None
    host = parts.netloc.rpartition("@")[2]
    if urllib.request.proxy_bypass_environment(host, proxies):
        return None
    found = setting(chosen)
    if found is None:  # set under a name of mixed case: urllib reads those too
        return Proxy(proxy_url(proxies[chosen]), f"the {chosen} proxy from the environment")
    name, value = found
    check(name, value)
    return Proxy(proxy_url(value), f"the proxy {redact_url(proxy_url(value))} (from {name})")
