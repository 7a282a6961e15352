"""The proxy the environment puts between discue and its endpoint (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY,
less NO_PROXY), as httpx mounted it: named in error lines, refused in one line where it cannot work."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from discue_cli.errors import UsageError
from discue_cli.redaction import redact_url

SCHEMES = ("http", "https", "all")  # the proxies httpx takes from urllib's getproxies()
USABLE = ("http", "https")  # SOCKS would need the socksio package, which discue does not ship
T = TypeVar("T")


def setting(scheme: str) -> tuple[str, str] | None:
    """The variable that sets the proxy for `scheme`, and its value: the lowercase one wins, as in urllib."""
    for name in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY"):
        value = os.environ.get(name)
        if value:
            return name, value
    return None


def proxy_url(value: str) -> str:
    return value if "://" in value else f"http://{value}"  # httpx's reading of a bare host:port


def unusable(name: str, value: str) -> UsageError:
    return UsageError(
        f"{name} is not a proxy discue can use: {redact_url(proxy_url(value))}",
        hint="set it to an http:// or https:// proxy URL (http://host:port), or unset it",
    )


def check(name: str, value: str) -> UsageError | None:
    """Why httpx could not use this proxy setting, or None."""
    try:
        url = httpx.URL(proxy_url(value))
        port = url.port
    except (httpx.InvalidURL, ValueError):
        return unusable(name, value)
    if url.scheme not in USABLE or not url.host or (port is not None and not 0 < port < 65536):
        return unusable(name, value)
    return None


def build(make: Callable[[], T]) -> T:
    """`make()` (an httpx client, which mounts the environment's proxies), or one line naming the proxy
    setting it could not mount (a SOCKS or ftp:// URL) instead of a traceback."""
    try:
        return make()
    except (ValueError, ImportError, httpx.InvalidURL):
        for scheme in SCHEMES:
            found = setting(scheme)
            error = found and check(*found)
            if error:
                raise error from None
        for name in ("no_proxy", "NO_PROXY"):  # httpx reads each entry as a URL: `[::1` is none
            value = os.environ.get(name)
            if value:
                raise UsageError(
                    f"{name} has an entry discue cannot read: {value}",
                    hint="list hosts, domains or addresses, separated by commas (example.com,.internal,::1)",
                ) from None
        raise


def through(http: Any, url: httpx.URL) -> str | None:
    """'the proxy http://host:port (from HTTP_PROXY)' where `http` (an httpx client) sends `url`
    through one, credentials redacted; None where it goes direct, or this httpx cannot say. A proxy
    httpx mounted but could not connect to (a port out of range) is one line here, not a traceback."""
    mounts = getattr(http, "_mounts", None)
    if not isinstance(mounts, dict):
        return None
    for pattern, transport in mounts.items():  # in the order httpx's _transport_for_url tries them
        if not pattern.matches(url):
            continue
        if transport is None or pattern.host:  # a NO_PROXY entry
            return None
        scheme = pattern.scheme or "all"
        found = setting(scheme)
        if found is None:
            return f"the {scheme} proxy from the system settings"
        error = check(*found)
        if error:
            raise error
        name, value = found
        return f"the proxy {redact_url(proxy_url(value))} (from {name})"
    return None
