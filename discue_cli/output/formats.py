"""Pure formatting: TSV cells, columns, human values, flattening. No streams, no rich."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

# C0 controls, DEL and C1 controls (0x9b is a CSI on some terminals): what a terminal would act on
CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
CONTROLS.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"})
CONTROLS_KEEP_NEWLINE = {c: v for c, v in CONTROLS.items() if c != 0x0A}


def escape_controls(text: str, keep_newlines: bool = False) -> str:
    """Text from a server made safe for a terminal: control characters shown as \\x1b, \\t, \\n, ...
    (an escape sequence in a queue name must not recolor, retitle or rewrite anyone's terminal)."""
    return text.translate(CONTROLS_KEEP_NEWLINE if keep_newlines else CONTROLS)


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def tsv_cell(value: Any) -> str:
    """One value as a TSV field: never a raw tab or newline, nested values as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = compact(value) if isinstance(value, (dict, list)) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def columns(resources: list[dict[str, Any]]) -> list[str]:
    """Column order: id, name, then every other key in the order first seen."""
    keys: list[str] = ["id", "name"]
    for item in resources:
        for key in item:
            if key not in keys and not key.startswith("_"):
                keys.append(key)
    return keys


def tsv_row(item: dict[str, Any], keys: list[str]) -> str:
    return "\t".join(tsv_cell(item.get(k)) for k in keys)


def timestamp(value: Any, pattern: str = "%Y-%m-%d %H:%M:%SZ") -> str | None:
    """A millisecond epoch as UTC text; None when it is not one."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC).strftime(pattern)
    except (OverflowError, OSError, ValueError):
        return None


def human(key: str, value: Any) -> str:
    """A value as a person reads it in a table."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.endswith("_at"):
        shown = timestamp(value)
        if shown is not None:
            return shown
    if isinstance(value, list):
        if not value:
            return "-"
        shown_items = [str(v.get("name") or v.get("id")) if isinstance(v, dict) else str(v) for v in value]
        return ", ".join(shown_items)
    if isinstance(value, dict):
        return ", ".join(f"{k}={human(k, v)}" for k, v in value.items())
    return str(value)


def flatten(resource: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested objects as dotted keys, for the key/value view."""
    rows: list[tuple[str, Any]] = []
    ordered = columns([resource]) if not prefix else list(resource)
    for key in ordered:
        if key not in resource:
            continue
        value = resource[key]
        if isinstance(value, dict) and value:
            rows.extend(flatten(value, f"{prefix}{key}."))
        else:
            rows.append((prefix + key, value))
    return rows


def message_line(message: dict[str, Any], *, as_json: bool, terminal: bool) -> str:
    """One message as `messages watch` prints it: JSON, a readable line, or a TSV row."""
    if as_json:
        return compact(message)
    if terminal:
        when = timestamp(message.get("created_at"), "%H:%M:%S") or "--:--:--"
        return escape_controls(f"{when}  {message.get('id')}  {message.get('data', '')}")
    return tsv_row(message, columns([message]))
