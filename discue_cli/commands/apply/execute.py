"""Carrying out a plan, one write at a time, in order: a failure stops it where it is.

The writes are the CLI's own endpoint functions, so each body takes the shape of the generation in use
(`alias` from 2024-08) by the same rule as `queues create` and `listeners add`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from discue_cli.api import listeners as listener_api
from discue_cli.api import queues as queue_api
from discue_cli.commands.apply.plan import Change
from discue_cli.errors import ApiError, NotFoundError


async def execute(client: Any, changes: list[Change], on_applied: Callable[[Change], None]) -> None:
    """Send each change; `on_applied` hears of each one the server acknowledged."""
    queue_ids = {c.queue: c.queue_id for c in changes if c.queue_id is not None}
    for change in changes:
        await perform(client, change, queue_ids)
        on_applied(change)


async def perform(client: Any, change: Change, queue_ids: dict[str, str]) -> None:
    if change.kind == "queue":
        if change.action == "add":
            created = await queue_api.create_queue(client, change.name, change.values.get("schema"))
            if not created.ids:
                raise ApiError(f"unexpected reply: the new queue '{change.name}' has no id")
            queue_ids[change.queue] = created.ids[0]
        elif change.action == "change":
            schema = change.values["schema"]  # None: the file dropped it
            removed_or_new = queue_api.REMOVE if schema is None else schema
            await queue_api.update_queue(client, queue_ids[change.queue], None, removed_or_new)
        else:
            await gone_is_done(queue_api.delete_queue(client, queue_ids[change.queue]))
        return
    queue_id = queue_ids[change.queue]
    if change.action == "add":
        values = change.values
        await listener_api.add_listener(client, queue_id, change.name, values["notify_url"], values["liveness_url"])
    elif change.action == "change":
        await listener_api.update_listener(client, queue_id, str(change.listener_id), change.values)
    else:
        await gone_is_done(listener_api.delete_listener(client, queue_id, str(change.listener_id)))


async def gone_is_done(delete: Any) -> None:
    """A delete that finds nothing left to delete has what it wanted (someone, or a lost reply, was first)."""
    with contextlib.suppress(NotFoundError):
        await delete
