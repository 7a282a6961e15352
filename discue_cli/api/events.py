"""GET /events: the API usage events of the last 24 hours (2023-04 on)."""

from __future__ import annotations

from typing import Any

from discue_cli.api import Reply, call
from discue_cli.api.client import Client
from discue_cli.api.generations import SINCE_2023, name_of, refuse_unless

TYPES = ("all", "api_keys", "listeners", "messages", "queues")
SUBJECTS = ("api_key", "listener", "message", "queue")  # what an event can be about, by its type's prefix
COLUMNS = ["id", "type", "stored_at", "resource", "resource_id", "resource_name"]


def event_row(event: dict[str, Any]) -> dict[str, Any]:
    """id, type, stored_at, then the resource the event is about (its kind, id and name)."""
    kind = str(event.get("type") or "")
    about = next((s for s in SUBJECTS if kind.startswith(s + "_") and isinstance(event.get(s), dict)), None)
    if about is None:
        about = next((s for s in ("message", "listener", "queue", "api_key") if isinstance(event.get(s), dict)), None)
    subject = event.get(about) if about else {}
    return {
        "id": event.get("id"),
        "type": event.get("type"),
        "stored_at": event.get("stored_at"),
        "resource": about,
        "resource_id": subject.get("id"),
        "resource_name": name_of(subject),
    }


async def list_events(client: Client, kind: str | None, limit: int | None, after: str | None) -> Reply:
    refuse_unless(client, "/events", SINCE_2023)
    params: dict[str, Any] = {}
    if kind is not None:
        params["events"] = kind
    if limit is not None:
        params["limit"] = limit
    if after is not None:
        params["startAfterId"] = after
    body = await call(client, "GET", "/events", params=params or None)
    events = body.get("events")
    rows = [event_row(e) for e in events if isinstance(e, dict)] if isinstance(events, list) else []
    return Reply(body, rows, single=False, columns=COLUMNS)


PAGE = 100  # events asked for at a time by events_since


async def events_since(
    client: Client, *, after_ms: int | None = None, after_id: str | None = None, limit: int = PAGE
) -> list[dict[str, Any]]:
    """The events after an event id, else after a time (ms), oldest first, each row with the queue it
    concerns (`queue_id`, `queue_name`): what a live view (`discue top`) follows from one refresh to the next."""
    refuse_unless(client, "/events", SINCE_2023)
    params: dict[str, Any] = {"limit": limit}
    if after_id is not None:
        params["startAfterId"] = after_id
    elif after_ms is not None:
        params["startAfter"] = after_ms
    body = await call(client, "GET", "/events", params=params)
    events = body.get("events")
    rows = []
    for event in events if isinstance(events, list) else []:
        if not isinstance(event, dict):
            continue
        queue = event.get("queue") if isinstance(event.get("queue"), dict) else {}
        rows.append({**event_row(event), "queue_id": queue.get("id"), "queue_name": name_of(queue)})
    return rows
