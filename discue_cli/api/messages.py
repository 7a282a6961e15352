"""One function per message endpoint."""

from __future__ import annotations

from discue_cli.api import Reply, embed_query
from discue_cli.api.client import Client


async def list_all_messages(client: Client, embed: bool = False) -> Reply:
    return Reply.many(await client.request("GET", "/messages", params=embed_query(embed)), "messages", embed)


async def list_messages(client: Client, queue_id: str, embed: bool = False) -> Reply:
    body = await client.request("GET", f"/queues/{queue_id}/messages", params=embed_query(embed))
    return Reply.many(body, "messages", embed)


async def get_message(client: Client, queue_id: str, message_id: str) -> Reply:
    return Reply.one(await client.request("GET", f"/queues/{queue_id}/messages/{message_id}"), "message")


async def add_message(client: Client, queue_id: str, data: str) -> Reply:
    body = await client.request("POST", f"/queues/{queue_id}/messages", json_body={"data": data})
    return Reply.one(body, "message")


async def update_message(client: Client, queue_id: str, message_id: str, name: str) -> Reply:
    path = f"/queues/{queue_id}/messages/{message_id}"
    return Reply.one(await client.request("PUT", path, json_body={"name": name}), "message")


async def delete_message(client: Client, queue_id: str, message_id: str) -> None:
    await client.request("DELETE", f"/queues/{queue_id}/messages/{message_id}")
