"""One function per listener endpoint."""

from __future__ import annotations

from discue_cli.api import Reply, embed_query
from discue_cli.api.client import Client


async def list_all_listeners(client: Client, embed: bool = False) -> Reply:
    return Reply.many(await client.request("GET", "/listeners", params=embed_query(embed)), "listeners", embed)


async def list_listeners(client: Client, queue_id: str, embed: bool = False) -> Reply:
    body = await client.request("GET", f"/queues/{queue_id}/listeners", params=embed_query(embed))
    return Reply.many(body, "listeners", embed)


async def get_listener(client: Client, queue_id: str, listener_id: str) -> Reply:
    return Reply.one(await client.request("GET", f"/queues/{queue_id}/listeners/{listener_id}"), "listener")


async def add_listener(client: Client, queue_id: str, name: str, notify_url: str, liveness_url: str) -> Reply:
    body = {"name": name, "notify_url": notify_url, "liveness_url": liveness_url}
    return Reply.one(await client.request("POST", f"/queues/{queue_id}/listeners", json_body=body), "listener")


async def update_listener(client: Client, queue_id: str, listener_id: str, changes: dict) -> Reply:
    path = f"/queues/{queue_id}/listeners/{listener_id}"
    return Reply.one(await client.request("PUT", path, json_body=changes), "listener")


async def delete_listener(client: Client, queue_id: str, listener_id: str) -> None:
    await client.request("DELETE", f"/queues/{queue_id}/listeners/{listener_id}")
