"""The one rule for a URL the CLI takes (endpoint, listener URLs, apply's file), as discue and the emulator apply it."""

from __future__ import annotations

from urllib.parse import urlsplit


def url_problem(value: str, shown: str | None = None) -> str | None:
    """Why `value` is not an http(s) URL with a host and, when given, a port from 1 to 65535; None when it is.

    `shown` is how the value appears in the reason (a redacted endpoint), the value itself by default."""
    shown = value if shown is None else shown
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return "a URL cannot contain spaces or control characters"
    malformed = f"'{shown}' is not an http(s) URL"
    try:
        parts = urlsplit(value)
        hostname = parts.hostname
    except ValueError:  # an unclosed [IPv6 bracket
        return malformed
    if parts.scheme not in ("http", "https") or not hostname:
        return malformed
    # urlsplit's own port parsing takes "+80" and leaves ":-1"/":abc" to fail only when asked:
    # httpx would then fail deep in a task group (an "internal error"), or send where nobody meant.
    port = parts.netloc.rpartition("@")[2].rpartition("]")[2].partition(":")[2]
    if port and not (port.isdigit() and 1 <= int(port) <= 65535):
        return f"'{shown}' has an invalid port (1-65535)"
    return None
