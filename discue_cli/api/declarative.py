"""The reads of `apply` and `export`, in any API generation; their writes are api.queues' and api.listeners'.

Reading is tolerant (a resource's name is its `name`, else its `alias`) and goes through the shared
endpoint functions, so every reply teaches `auto` the generation and the writes that follow take its shape.
A list item that lacks what is needed is fetched whole, unless the generation is pinned and has nothing
more to give (2022-05 queues have no schema; its listener lists carry whole listeners under `_embed`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from discue_cli.api import listeners as listener_api
from discue_cli.api import queues as queue_api
from discue_cli.api.client import Client
from discue_cli.api.generations import AUTO, SINCE_2023, name_of, tracker

LISTENER_FIELDS = ("notify_url", "liveness_url")


def named(item: dict[str, Any]) -> str | None:
    """The resource's name (or alias), when it is text."""
    name = name_of(item)
    return name if isinstance(name, str) else None


async def list_queues(client: Client) -> list[dict[str, Any]]:
    """Every queue as listed; this GET /queues is also the one that tells `auto` the generation before
    the first write (docs/generations.md), so no write sends another."""
    reply = await queue_api.list_queues(client)
    tracker(client).probed = True
    return reply.resources


async def queue_schema(client: Client, queue: dict[str, Any]) -> Any:
    """A queue's schema, from its list item when that carries one, else from the queue itself."""
    if "schema" in queue:
        return queue["schema"]
    if tracker(client).setting not in (AUTO, *SINCE_2023):
        return None  # pinned to a generation without schemas: nothing to read
    found = (await queue_api.get_queue(client, str(queue["id"]))).resources
    return found[0].get("schema") if found else None


async def listeners(client: Client, queue_id: str) -> list[dict[str, Any]]:
    """A queue's listeners with their URLs: whole in the list (2023-04 on, or 2022-05's `_embed`), else fetched."""
    found = (await listener_api.list_listeners(client, queue_id, embed=True)).resources

    async def whole(item: dict[str, Any]) -> dict[str, Any]:
        if all(key in item for key in LISTENER_FIELDS) or item.get("id") is None:
            return item
        fetched = (await listener_api.get_listener(client, queue_id, str(item["id"]))).resources
        return {**item, **fetched[0]} if fetched else item

    return await gather(*(whole(item) for item in found))


async def gather(*calls: Any) -> list[Any]:
    """Run calls side by side; all of them finish before the first failure is raised."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return list(results)
