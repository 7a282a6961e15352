"""How `apply` shows a change: one plain line for scripts, an aligned colored line for a person.

A change is anything with `action`, `symbol`, `kind`, `label`, `fields`, `values` and `before`.
"""

from __future__ import annotations

from typing import Any

from discue_cli.output.formats import escape_controls

STYLES = {"add": "green", "change": "yellow", "delete": "red"}
KIND_WIDTH = len("listener")
MAX_LABEL_WIDTH = 60


def printable(text: str) -> str:
    """Names come from servers and files: escaped as everywhere else (formats.escape_controls), and a
    backslash doubled, so that a plan line stays one line and reads back as exactly one name."""
    return escape_controls(text.replace("\\", "\\\\"))


def change_line(change: Any) -> str:
    """`+ queue NAME`, `~ listener QUEUE/NAME notify_url,liveness_url`, `- queue NAME`."""
    line = f"{change.symbol} {change.kind} {printable(change.label)}"
    if change.action == "change":
        line += " " + ",".join(change.fields)
    return line


def label_width(changes: list[Any]) -> int:
    return min(MAX_LABEL_WIDTH, max((len(printable(c.label)) for c in changes), default=0))


def change_text(change: Any, width: int) -> Any:
    """The change aligned in columns, colored by action, with the old and new values of what changes."""
    from rich.text import Text

    style = STYLES[change.action]
    text = Text.assemble(
        (change.symbol, f"bold {style}"),
        " ",
        (change.kind.ljust(KIND_WIDTH), style),
        " ",
        printable(change.label).ljust(width),
    )
    if change.action == "change":
        text.append("  " + ", ".join(change.fields), style="bold")
        for key in change.fields:
            text.append(f"\n    {key}: ", style="dim")
            text.append(shown(key, change.before.get(key)), style="red")
            text.append(" -> ", style="dim")
            text.append(shown(key, change.values.get(key)), style="green")
    return text


def terminal_lines(con: Any, change: Any, width: int) -> list[str]:
    """The change as a terminal shows it; a long name stays on its line rather than wrapping mid-column."""
    with con.capture() as captured:
        con.print(change_text(change, width), soft_wrap=True)
    return [line.rstrip() for line in captured.get().splitlines()]


def shown(key: str, value: Any) -> str:
    if value is None:
        return "(none)"
    if key == "schema":
        return "rules for " + ", ".join(printable(str(k)) for k in value) if isinstance(value, dict) else "(none)"
    return printable(str(value))
