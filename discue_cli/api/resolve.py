"""Turning a name or an id into an id: ids pass straight through, a name costs one list call.

A name may be shaped like an id (`myapp-orders-queue-01` is 21 URL-safe characters): `with_queue` tries
such a reference as an id and, only when no such id exists, looks it up as a name (one more call)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from discue_cli.api import listing
from discue_cli.api.client import Client
from discue_cli.api.generations import looks_like_id, name_of
from discue_cli.errors import NotFoundError, UsageError

__all__ = [
    "find_by_name", "looks_like_id", "queue_named", "resolve_domain_id", "resolve_listener_id", "resolve_queue_id",
    "with_queue",
]  # fmt: skip

T = TypeVar("T")
QUEUES_HINT = "`discue queues list` shows the queues"


def find_by_name(items: list[dict], ref: str, kind: str = "resource") -> dict | None:
    """The item whose id, name or alias is `ref` (ids win); several of that name is a usage error."""
    for item in items:
        if item.get("id") == ref:
            return item
    named = [item for item in items if name_of(item) == ref]
    if len(named) > 1:
        ids = ", ".join(str(item.get("id")) for item in named)
        raise UsageError(f"{len(named)} {kind}s are named '{ref}': {ids}", hint=f"name the {kind} by its id")
    return named[0] if named else None


async def resolve(client: Client, ref: str, path: str, key: str, kind: str, where: str, hint: str) -> str:
    if looks_like_id(ref):
        return ref
    return await look_up(client, ref, path, key, kind, where, hint)


async def look_up(client: Client, ref: str, path: str, key: str, kind: str, where: str, hint: str) -> str:
    """The id of the item listed at `path` whose id or name is `ref` (one list call)."""
    found = find_by_name((await listing(client, path, key)).resources, ref, kind)  # every page of it
    if found is None or found.get("id") is None:
        raise NotFoundError(f"no {kind} named '{ref}'{where}", hint=hint)
    return str(found["id"])


async def resolve_queue_id(client: Client, ref: str) -> str:
    """The id of the queue `ref` names (an id-shaped ref is taken as an id: see `with_queue`)."""
    return await resolve(client, ref, "/queues", "queues", "queue", "", QUEUES_HINT)


async def queue_named(client: Client, name: str) -> str:
    """The id of the queue called `name`, whatever its shape (one list call)."""
    return await look_up(client, name, "/queues", "queues", "queue", "", QUEUES_HINT)


async def with_queue(client: Client, ref: str, use: Callable[[str], Awaitable[T]]) -> T:
    """`use(id)` for the queue `ref` names; an id-shaped ref that is no queue's id is tried as a name
    (one more call, only then). A 404 that the name does not explain is the one raised."""
    queue_id = await resolve_queue_id(client, ref)
    try:
        return await use(queue_id)
    except NotFoundError as missing:
        if not looks_like_id(ref):
            raise
        try:
            named = await queue_named(client, ref)
        except NotFoundError:
            raise missing from None
        if named == queue_id:
            raise
        return await use(named)


async def resolve_listener_id(client: Client, queue_id: str, ref: str) -> str:
    """The id of the listener `ref` names within a queue."""
    from discue_cli.api.listeners import path

    hint = "`discue listeners list QUEUE` shows them"
    return await resolve(client, ref, path(queue_id), "listeners", "listener", " on that queue", hint)


async def resolve_domain_id(client: Client, ref: str) -> str:
    """The id of the domain `ref` names (by alias)."""
    return await resolve(client, ref, "/domains", "domains", "domain", "", "`discue domains list` shows them")
