"""One function per /queues endpoint."""

from __future__ import annotations

from typing import Any

from discue_cli.api import Reply, call, listing, segment
from discue_cli.api.client import Client
from discue_cli.api.generations import SINCE_2023, refuse_unless, with_name, write, writing

REMOVE = object()  # `schema=REMOVE`: send `"schema": null`, which drops the queue's schema


def path(queue_id: str) -> str:
    return f"/queues/{segment(queue_id, 'queue id')}"


async def list_queues(client: Client, embed: bool = False) -> Reply:
    return await listing(client, "/queues", "queues", embed)


async def get_queue(client: Client, queue_id: str) -> Reply:
    return Reply.one(await call(client, "GET", path(queue_id)), "queue")


async def queue_body(client: Client, name: str | None, schema: Any) -> dict[str, Any]:
    """A create/update body in the generation's shape; a schema where the generation has none is refused."""
    generation = await writing(client)
    fields: dict[str, Any] = {} if name is None else {"name": name}
    if schema is not None:
        refuse_unless(client, "queue schemas", SINCE_2023)
        fields["schema"] = None if schema is REMOVE else schema
    return with_name(generation, fields)


def given(name: str | None, schema: Any) -> tuple[str, ...]:
    """The fields a reply must show again (a schema removed shows as none)."""
    return tuple(f for f, v in (("name", name), ("schema", schema)) if v is not None and v is not REMOVE)


async def create_queue(client: Client, name: str, schema: dict | None = None) -> Reply:
    build = lambda: queue_body(client, name, schema)  # noqa: E731
    return Reply.one(await write(client, "POST", "/queues", "queue", build, given(name, schema)), "queue")


async def update_queue(client: Client, queue_id: str, name: str | None, schema: Any = None) -> Reply:
    build = lambda: queue_body(client, name, schema)  # noqa: E731
    return Reply.one(await write(client, "PUT", path(queue_id), "queue", build, given(name, schema)), "queue")


async def delete_queue(client: Client, queue_id: str) -> None:
    await call(client, "DELETE", path(queue_id))
