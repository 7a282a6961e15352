"""GET /stats/messages: counters of API usage events per time window (2023-04 on)."""

from __future__ import annotations

from typing import Any

from discue_cli.api import Reply, call
from discue_cli.api.client import Client
from discue_cli.api.generations import SINCE_2023, refuse_unless

WINDOWS = ("last_1_hours", "last_24_hours", "today_so_far")


def counter_rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per counter with its value in each window, counters in the order the API sent them."""
    windows = body.get("aggregated_api_usage_events")
    if not isinstance(windows, dict):
        return []
    counters: list[str] = []
    for window in WINDOWS:
        values = windows.get(window)
        if isinstance(values, dict):
            counters.extend(c for c in values if c not in counters)
    rows = []
    for counter in counters:
        row: dict[str, Any] = {"counter": counter}
        for window in WINDOWS:
            values = windows.get(window)
            row[window] = values.get(counter) if isinstance(values, dict) else None
        rows.append(row)
    return rows


async def message_stats(client: Client) -> Reply:
    refuse_unless(client, "/stats/messages", SINCE_2023)
    body = await call(client, "GET", "/stats/messages")
    return Reply(body, counter_rows(body), single=False, columns=["counter", *WINDOWS])
