"""Turning a name or an id into an id: ids pass straight through, a name costs one list call."""

from __future__ import annotations

import re

from discue_cli.api.client import Client
from discue_cli.errors import NotFoundError

# Loose on purpose: discue's own examples show ids whose first group has 7 digits.
ID_SHAPE = re.compile(r"^[0-9a-fA-F]{6,8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def looks_like_id(ref: str) -> bool:
    return bool(ID_SHAPE.match(ref))


def find_by_name(items: list[dict], ref: str) -> dict | None:
    """The item whose id or name is `ref`; ids win over names."""
    for item in items:
        if item.get("id") == ref:
            return item
    for item in items:
        if item.get("name") == ref:
            return item
    return None


async def resolve_queue_id(client: Client, ref: str) -> str:
    """The id of the queue `ref` names."""
    if looks_like_id(ref):
        return ref
    body = await client.request("GET", "/queues")
    found = find_by_name(body.get("queues") or [], ref)
    if found is None or found.get("id") is None:
        raise NotFoundError(f"no queue named '{ref}'", hint="`discue queues list` shows the queues")
    return str(found["id"])


async def resolve_listener_id(client: Client, queue_id: str, ref: str) -> str:
    """The id of the listener `ref` names within a queue."""
    if looks_like_id(ref):
        return ref
    body = await client.request("GET", f"/queues/{queue_id}/listeners")
    found = find_by_name(body.get("listeners") or [], ref)
    if found is None or found.get("id") is None:
        raise NotFoundError(f"no listener named '{ref}' on that queue", hint="`discue listeners list QUEUE` shows them")
    return str(found["id"])
