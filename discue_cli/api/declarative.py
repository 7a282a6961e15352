"""The reads and writes of `apply` and `export`, in any API generation.

Reading is tolerant: a resource's name is its `name`, else its `alias`; a list item that lacks what
is needed (2022-05 lists carry only id and name) is fetched whole. Writing names a resource under
`name_key(generation)`.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from discue_cli.api.client import Client

ALIAS_SINCE = "2024-08"
LISTENER_FIELDS = ("notify_url", "liveness_url")


def name_key(generation: str | None) -> str:
    """What a write calls a resource's name in `generation` (None: not known, the documented `name`)."""
    return "alias" if generation is not None and generation >= ALIAS_SINCE else "name"


def name_of(resource: dict[str, Any]) -> str | None:
    name = resource.get("name") or resource.get("alias")
    return name if isinstance(name, str) else None


def seen_generation(resources: list[dict[str, Any]]) -> str | None:
    """The generation replies show, as far as naming goes: `alias` without `name` is 2024-08."""
    for item in resources:
        if "alias" in item and "name" not in item:
            return ALIAS_SINCE
        if "name" in item:
            return None
    return None


def segment(resource_id: Any) -> str:
    """An id from a reply as one path segment, whatever it holds."""
    return quote(str(resource_id), safe="")


def unwrap(body: dict[str, Any], key: str) -> dict[str, Any]:
    item = body.get(key)
    return item if isinstance(item, dict) else {}


def items(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    found = body.get(key)
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


async def list_queues(client: Client) -> list[dict[str, Any]]:
    return items(await client.request("GET", "/queues"), "queues")


async def get_queue(client: Client, queue_id: str) -> dict[str, Any]:
    return unwrap(await client.request("GET", f"/queues/{segment(queue_id)}"), "queue")


async def queue_schema(client: Client, queue: dict[str, Any]) -> Any:
    """A queue's schema, from its list item when that carries one, else from the queue itself."""
    if "schema" in queue:
        return queue["schema"]
    return (await get_queue(client, queue["id"])).get("schema")


async def listeners(client: Client, queue_id: str) -> list[dict[str, Any]]:
    """A queue's listeners with their URLs."""
    found = items(await client.request("GET", f"/queues/{segment(queue_id)}/listeners"), "listeners")

    async def whole(item: dict[str, Any]) -> dict[str, Any]:
        if all(key in item for key in LISTENER_FIELDS) or item.get("id") is None:
            return item
        path = f"/queues/{segment(queue_id)}/listeners/{segment(item['id'])}"
        return {**item, **unwrap(await client.request("GET", path), "listener")}

    return await gather(*(whole(item) for item in found))


async def gather(*calls: Any) -> list[Any]:
    """Run calls side by side; all of them finish before the first failure is raised."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return list(results)


async def create_queue(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    return unwrap(await client.request("POST", "/queues", json_body=body), "queue")


async def update_queue(client: Client, queue_id: str, changes: dict[str, Any]) -> None:
    await client.request("PUT", f"/queues/{segment(queue_id)}", json_body=changes)


async def delete_queue(client: Client, queue_id: str) -> None:
    await client.request("DELETE", f"/queues/{segment(queue_id)}")


async def add_listener(client: Client, queue_id: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = await client.request("POST", f"/queues/{segment(queue_id)}/listeners", json_body=body)
    return unwrap(reply, "listener")


async def update_listener(client: Client, queue_id: str, listener_id: str, changes: dict[str, Any]) -> None:
    path = f"/queues/{segment(queue_id)}/listeners/{segment(listener_id)}"
    await client.request("PUT", path, json_body=changes)


async def delete_listener(client: Client, queue_id: str, listener_id: str) -> None:
    await client.request("DELETE", f"/queues/{segment(queue_id)}/listeners/{segment(listener_id)}")
