"""The server's state, read into the plan's terms: queues by name with their schema and listeners."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from discue_cli.api import declarative as api
from discue_cli.commands.apply.plan import Listener, Queue


async def read_server(client: Any, detailed: Callable[[Queue], bool]) -> list[Queue]:
    """Every named queue, with schema and listeners for those `detailed` picks."""
    listed = await api.list_queues(client)
    queues = [
        Queue(str(item["id"]), name)
        for item in listed
        if item.get("id") is not None and (name := api.named(item)) is not None
    ]
    by_id = {str(item.get("id")): item for item in listed}

    async def fill(queue: Queue) -> None:
        schema = await api.queue_schema(client, by_id[queue.id])
        queue.schema = schema if isinstance(schema, dict) and schema else None
        queue.listeners = [as_listener(item) for item in await api.listeners(client, queue.id) if usable(item)]

    await api.gather(*(fill(q) for q in queues if detailed(q)))
    return queues


def usable(item: dict[str, Any]) -> bool:
    return item.get("id") is not None and api.named(item) is not None


def as_listener(item: dict[str, Any]) -> Listener:
    def text(key: str) -> str | None:
        value = item.get(key)
        return value if isinstance(value, str) else None

    return Listener(str(item["id"]), api.named(item) or "", text("notify_url"), text("liveness_url"))
