"""The server's state written in apply's format: what `export` prints (pure)."""

from __future__ import annotations

import re
from typing import Any

from discue_cli.commands.apply.plan import Queue

BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def value(item: Any) -> str:
    """A TOML value (strings escaped as TOML wants) by tomli_w, which knows every corner.

    tomli_w leaves C1 controls (U+009B acts as a CSI), bidi overrides and U+2028/2029 raw; written as
    \\uXXXX escapes (valid in TOML's basic strings, where they only occur) they read back the same and
    cannot act on the terminal that shows the export."""
    import tomli_w

    from discue_cli.output.formats import JSON_ESCAPES

    return tomli_w.dumps({"v": item}).removeprefix("v = ").rstrip("\n").translate(JSON_ESCAPES)


def key(name: str) -> str:
    return name if BARE_KEY.match(name) else value(name)


def dotted(path: list[str]) -> str:
    return ".".join(key(part) for part in path)


def table_lines(path: list[str], table: dict[str, Any]) -> list[str]:
    """A table under `path` as headers and key/value lines; nested tables become sub-headers."""
    plain = [(k, v) for k, v in table.items() if not isinstance(v, dict)]
    nested = [(k, v) for k, v in table.items() if isinstance(v, dict)]
    lines: list[str] = []
    if plain or not nested:
        lines += ["", f"[{dotted(path)}]", *(f"{key(k)} = {value(v)}" for k, v in plain)]
    for name, sub in nested:
        lines += table_lines([*path, name], sub)
    return lines


def export_text(queues: list[Queue]) -> str:
    """[[queues]] tables sorted by name, each with its schema and its listeners sorted by name."""
    if not queues:
        return "queues = []\n"
    blocks: list[str] = []
    for queue in sorted(queues, key=lambda q: q.name):
        lines = ["[[queues]]", f"name = {value(queue.name)}"]
        for field, rule in (queue.schema or {}).items():
            lines += table_lines(["queues", "schema", field], rule) if isinstance(rule, dict) else []
        for listener in sorted(queue.listeners, key=lambda item: item.name):
            lines += [
                "",
                "  [[queues.listeners]]",
                f"  name = {value(listener.name)}",
                f"  notify_url = {value(listener.notify_url or '')}",
                f"  liveness_url = {value(listener.liveness_url or '')}",
            ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
