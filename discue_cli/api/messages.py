"""One function per message endpoint."""

from __future__ import annotations

from discue_cli.api import Reply, call, listing, segment
from discue_cli.api.client import Client
from discue_cli.api.generations import SINCE_2023, refuse_unless, with_name, writing
from discue_cli.api.queues import path as queue_path


def path(queue_id: str, message_id: str | None = None) -> str:
    base = f"{queue_path(queue_id)}/messages"
    return base if message_id is None else f"{base}/{segment(message_id, 'message id')}"


async def list_all_messages(client: Client, embed: bool = False) -> Reply:
    return await listing(client, "/messages", "messages", embed)


async def list_messages(client: Client, queue_id: str, embed: bool = False) -> Reply:
    return await listing(client, path(queue_id), "messages", embed)


async def get_message(client: Client, queue_id: str, message_id: str) -> Reply:
    return Reply.one(await call(client, "GET", path(queue_id, message_id)), "message")


async def add_message(client: Client, queue_id: str, data: str, name: str | None = None) -> Reply:
    """A new message; only a named one needs to know the generation (a batch of plain data never asks)."""
    fields = {"data": data}
    if name is not None:
        generation = await writing(client)
        refuse_unless(client, "message names on create", SINCE_2023)
        fields = with_name(generation, {"name": name, "data": data})
    return Reply.one(await call(client, "POST", path(queue_id), json_body=fields), "message")


async def update_message(client: Client, queue_id: str, message_id: str, name: str) -> Reply:
    body = with_name(await writing(client), {"name": name})
    return Reply.one(await call(client, "PUT", path(queue_id, message_id), json_body=body), "message")


async def delete_message(client: Client, queue_id: str, message_id: str) -> None:
    await call(client, "DELETE", path(queue_id, message_id))
