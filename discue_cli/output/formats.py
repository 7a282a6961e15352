"""Pure formatting: TSV cells, columns, human values, flattening. No streams, no rich."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

# A UUID (discue's examples have 7-digit first groups) or a 21-character id of the 2023-04 generation.
ID_SHAPE = re.compile(r"[0-9a-fA-F]{6,8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|[A-Za-z0-9_-]{21}")
TABLE_ITEMS = 3  # list items shown in a table cell; the key/value view shows more, one per line
VIEW_ITEMS = 10
# What a terminal would act on or a reader misread: C0 controls, DEL and C1 controls (0x9b is a CSI on some
# terminals), the line and paragraph separators, and the bidirectional overrides and isolates (they make a line
# read differently from what it holds).
CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
CONTROLS.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"})
CONTROLS.update({c: f"\\u{c:04x}" for c in (0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))})
CONTROLS_KEEP_NEWLINE = {c: v for c, v in CONTROLS.items() if c != 0x0A}
# JSON escapes C0 controls itself; on a terminal the rest of CONTROLS go as \u escapes, which are the same JSON.
JSON_ESCAPES = {c: f"\\u{c:04x}" for c in CONTROLS if c >= 0x20}


def escape_controls(text: str, keep_newlines: bool = False) -> str:
    """Text from a server made safe for a terminal: control characters shown as \\x1b, \\t, \\n, \\u202e, ...
    (an escape sequence in a queue name must not recolor, retitle or rewrite anyone's terminal)."""
    return text.translate(CONTROLS_KEEP_NEWLINE if keep_newlines else CONTROLS)


def json_for_terminal(text: str) -> str:
    """JSON text safe for a terminal and still the same JSON: these characters only occur inside its strings."""
    return text.translate(JSON_ESCAPES)


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


def is_id(key: str, text: str) -> bool:
    """Whether a shown value is an id, which a terminal view must never wrap or cut."""
    return key == "id" or key.endswith("_id") or bool(ID_SHAPE.fullmatch(text))


def more(count: int) -> str:
    return f"… and {count:,} more; --json for all"


def human(key: str, value: Any, *, items: int = TABLE_ITEMS, sep: str = ", ") -> str:
    """A value as a person reads it in a table: a long list shows its first `items` and a count of the rest."""
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
        shown = [str(v.get("name") or v.get("id")) if isinstance(v, dict) else str(v) for v in value[:items]]
        if len(value) > items:
            shown.append(more(len(value) - items))
        return sep.join(shown)
    if isinstance(value, dict):
        return ", ".join(f"{k}={human(k, v)}" for k, v in value.items())
    return str(value)


def preview(text: Any, width: int = 40) -> str:
    """A short one-line look at a value (a message's data), control characters escaped."""
    line = escape_controls(" ".join(str(text).split()))
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


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
        import time

        # The API's message is {id, name}: no time (the time it was seen, UTC) and no data (its name).
        when = timestamp(message.get("created_at"), "%H:%M:%S") or time.strftime("%H:%M:%S", time.gmtime())
        shown = message.get("data") if message.get("data") is not None else message.get("name") or ""
        return escape_controls(f"{when}  {message.get('id')}  {shown}")
    return tsv_row(message, columns([message]))


def delivery_line(body: dict[str, Any], forward: dict[str, Any] | None, *, terminal: bool, when: str) -> str:
    """One delivery as `listen` prints it: the body as compact JSON (with `_forward` when it was
    forwarded), or on a terminal `TIME  MESSAGE_ID  DATA`, then the attempt and the forward's status."""
    if not terminal:
        return compact({**body, "_forward": forward} if forward is not None else body)
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    message_id = body.get("message_id") or message.get("id") or "-"
    data = body.get("data", message.get("data", body.get("_raw", "")))
    shown = data if isinstance(data, str) else compact(data)
    text = f"{when}  {escape_controls(str(message_id))}  {escape_controls(shown)}"
    attempt = body.get("attempt")
    if isinstance(attempt, int) and attempt > 1:
        text += f"  (attempt {attempt})"
    if forward is not None:
        text += f"  -> {forward['status']}"
        if forward.get("error"):
            text += f" ({escape_controls(forward['error'])})"
    return text
