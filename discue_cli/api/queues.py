"""One function per /queues endpoint."""

from __future__ import annotations

from discue_cli.api import Reply, embed_query
from discue_cli.api.client import Client


async def list_queues(client: Client, embed: bool = False) -> Reply:
    body = await client.request("GET", "/queues", params=embed_query(embed))
    return Reply.many(body, "queues", embed)


async def get_queue(client: Client, queue_id: str) -> Reply:
    return Reply.one(await client.request("GET", f"/queues/{queue_id}"), "queue")


async def create_queue(client: Client, name: str) -> Reply:
    return Reply.one(await client.request("POST", "/queues", json_body={"name": name}), "queue")


async def update_queue(client: Client, queue_id: str, name: str) -> Reply:
    return Reply.one(await client.request("PUT", f"/queues/{queue_id}", json_body={"name": name}), "queue")


async def delete_queue(client: Client, queue_id: str) -> None:
    await client.request("DELETE", f"/queues/{queue_id}")
