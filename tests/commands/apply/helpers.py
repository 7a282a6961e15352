"""Helpers the apply and export tests share: what a -v run wrote, and its stderr without the exchange lines."""

from __future__ import annotations

import re


def writes(stderr: str) -> list[str]:
    """The writes a -v run sent: 'METHOD path' for each POST, PUT and DELETE."""
    found = re.findall(r"^(POST|PUT|DELETE) https?://[^/]+(\S*) ", stderr, re.M)
    return [f"{method} {path}" for method, path in found]


def human(stderr: str) -> str:
    """stderr without -v's exchange lines."""
    return "".join(line for line in stderr.splitlines(True) if not re.match(r"^[A-Z]+ http\S+ \d+ \d+ms$", line))
