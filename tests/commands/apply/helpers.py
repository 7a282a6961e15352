"""Helpers the apply and export tests share: the README's file, what a -v run wrote, and its stderr without
the exchange lines."""

from __future__ import annotations

import re

FILE = """\
[[queues]]
name = "myapp.io/deletion-request-queue"

  [[queues.listeners]]
  name = "myapp.io/deletion-listener"
  notify_url = "https://myapp.io/hooks/deletion"
  liveness_url = "https://myapp.io/hooks/live"

  [[queues.listeners]]
  name = "audit"
  notify_url = "https://audit.example/hook"
  liveness_url = "https://audit.example/live"

[[queues]]
name = "orders"
"""


Q = "myapp.io/deletion-request-queue"


L = "myapp.io/deletion-listener"


def writes(stderr: str) -> list[str]:
    """The writes a -v run sent: 'METHOD path' for each POST, PUT and DELETE."""
    found = re.findall(r"^(POST|PUT|DELETE) https?://[^/]+(\S*) ", stderr, re.M)
    return [f"{method} {path}" for method, path in found]


def human(stderr: str) -> str:
    """stderr without -v's exchange lines."""
    return "".join(line for line in stderr.splitlines(True) if not re.match(r"^[A-Z]+ http\S+ \d+ \d+ms$", line))
