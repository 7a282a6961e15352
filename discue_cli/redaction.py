"""How secrets are shown: keys by their last characters, URLs without their credentials."""

from __future__ import annotations


def redact(key: str | None) -> str:
    """A key shown safely: only its last four characters, and only when it is long."""
    if not key:
        return "(none)"
    return "****" + key[-4:] if len(key) >= 16 else "****"


def redact_url(url: str) -> str:
    """A URL shown safely: credentials in it (http://user:pw@host) become ***."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    if "@" not in authority:
        return url
    return f"{scheme}://***@{authority.rpartition('@')[2]}{slash}{path}"
