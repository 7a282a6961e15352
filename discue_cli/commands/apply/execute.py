"""Carrying out a plan, one write at a time, in order: a failure stops it where it is."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from discue_cli.api import declarative as api
from discue_cli.commands.apply.plan import Change
from discue_cli.errors import ApiError, NotFoundError


async def execute(client: Any, changes: list[Change], key: str, on_applied: Callable[[Change], None]) -> None:
    """Send each change; `on_applied` hears of each one the server acknowledged. `key` is the
    field that names a new resource (name or alias)."""
    queue_ids = {c.queue: c.queue_id for c in changes if c.queue_id is not None}
    for change in changes:
        await perform(client, change, key, queue_ids)
        on_applied(change)


async def perform(client: Any, change: Change, key: str, queue_ids: dict[str, str]) -> None:
    if change.kind == "queue":
        if change.action == "add":
            created = await api.create_queue(client, {key: change.name, **change.values})
            if created.get("id") is None:
                raise ApiError(f"unexpected reply: the new queue '{change.name}' has no id")
            queue_ids[change.queue] = str(created["id"])
        elif change.action == "change":
            await api.update_queue(client, queue_ids[change.queue], change.values)
        else:
            await gone_is_done(api.delete_queue(client, queue_ids[change.queue]))
        return
    queue_id = queue_ids[change.queue]
    if change.action == "add":
        await api.add_listener(client, queue_id, {key: change.name, **change.values})
    elif change.action == "change":
        await api.update_listener(client, queue_id, str(change.listener_id), change.values)
    else:
        await gone_is_done(api.delete_listener(client, queue_id, str(change.listener_id)))


async def gone_is_done(delete: Any) -> None:
    """A delete that finds nothing left to delete has what it wanted (someone, or a lost reply, was first)."""
    with contextlib.suppress(NotFoundError):
        await delete
