"""One function per listener endpoint."""

from __future__ import annotations

from discue_cli.api import Reply, call, listing, segment
from discue_cli.api.client import Client
from discue_cli.api.generations import with_name, writing
from discue_cli.api.queues import path as queue_path


def path(queue_id: str, listener_id: str | None = None) -> str:
    base = f"{queue_path(queue_id)}/listeners"
    return base if listener_id is None else f"{base}/{segment(listener_id, 'listener id')}"


async def list_all_listeners(client: Client, embed: bool = False) -> Reply:
    return await listing(client, "/listeners", "listeners", embed)


async def list_listeners(client: Client, queue_id: str, embed: bool = False) -> Reply:
    return await listing(client, path(queue_id), "listeners", embed)


async def get_listener(client: Client, queue_id: str, listener_id: str) -> Reply:
    return Reply.one(await call(client, "GET", path(queue_id, listener_id)), "listener")


async def add_listener(client: Client, queue_id: str, name: str, notify_url: str, liveness_url: str) -> Reply:
    fields = {"name": name, "notify_url": notify_url, "liveness_url": liveness_url}
    body = with_name(await writing(client), fields)
    return Reply.one(await call(client, "POST", path(queue_id), json_body=body), "listener")


async def update_listener(client: Client, queue_id: str, listener_id: str, changes: dict) -> Reply:
    body = with_name(await writing(client), changes) if "name" in changes else changes
    return Reply.one(await call(client, "PUT", path(queue_id, listener_id), json_body=body), "listener")


async def delete_listener(client: Client, queue_id: str, listener_id: str) -> None:
    await call(client, "DELETE", path(queue_id, listener_id))
