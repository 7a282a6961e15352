"""Tab completion of QUEUE, LISTENER, MESSAGE and key ids: asked of the API with a short timeout.

A completer never prints and never fails: whatever goes wrong (no key, no network, a slow server)
yields no candidates, within COMPLETION_TIMEOUT seconds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import typer

COMPLETION_TIMEOUT = "2"
GLOBAL_FLAGS = ("api_key", "api_endpoint", "profile", "local", "api_version")


def candidates(items: list[dict[str, Any]], incomplete: str) -> list[str]:
    """Names that start with what was typed; ids too once what was typed starts one."""
    names = [str(i.get("name") or i.get("alias")) for i in items if i.get("name") or i.get("alias")]
    found = [n for n in names if n.startswith(incomplete)]
    if incomplete:
        found += [str(i["id"]) for i in items if str(i.get("id", "")).startswith(incomplete)]
    return list(dict.fromkeys(found))


def fetch(ctx: typer.Context, listing: Callable[[Any, dict[str, Any]], Awaitable[list[dict[str, Any]]]]) -> list:
    """The items `listing(client, params)` returns, with the global flags of the command line; [] on any failure."""
    import asyncio
    import io

    from discue_cli.context import Context
    from discue_cli.output import IOStreams

    root = ctx.find_root()
    flags = {key: root.params.get(key) for key in GLOBAL_FLAGS}
    flags.update(timeout=COMPLETION_TIMEOUT, retries="0")
    silent = IOStreams(io.StringIO(), io.StringIO(), io.StringIO())
    c = Context(flags, streams=silent)

    async def run() -> list[dict[str, Any]]:
        async with c.client(c.output()) as client:
            return await listing(client, ctx.params)

    try:
        return asyncio.run(asyncio.wait_for(run(), float(COMPLETION_TIMEOUT) + 1))
    except BaseException:  # noqa: BLE001 - a completer must never fail or print
        return []


async def queues(client: Any, _params: dict[str, Any]) -> list[dict[str, Any]]:
    from discue_cli.api import queues as api

    return (await api.list_queues(client)).resources


async def listeners(client: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    from discue_cli.api import listeners as api
    from discue_cli.api.resolve import resolve_queue_id

    return (await api.list_listeners(client, await resolve_queue_id(client, params["queue"]))).resources


async def messages(client: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    from discue_cli.api import messages as api
    from discue_cli.api.resolve import resolve_queue_id

    return (await api.list_messages(client, await resolve_queue_id(client, params["queue"]))).resources


async def api_keys(client: Any, _params: dict[str, Any]) -> list[dict[str, Any]]:
    from discue_cli.api import api_keys as api

    return (await api.list_api_keys(client)).resources


def complete_queue(ctx: typer.Context, incomplete: str) -> list[str]:
    return candidates(fetch(ctx, queues), incomplete)


def complete_listener(ctx: typer.Context, incomplete: str) -> list[str]:
    return candidates(fetch(ctx, listeners), incomplete) if ctx.params.get("queue") else []


def complete_message(ctx: typer.Context, incomplete: str) -> list[str]:
    """Message ids (messages have no names until one is set; the id is what every verb takes)."""
    items = fetch(ctx, messages) if ctx.params.get("queue") else []
    return [str(i["id"]) for i in items if str(i.get("id", "")).startswith(incomplete)]


def complete_api_key(ctx: typer.Context, incomplete: str) -> list[str]:
    return [str(i["id"]) for i in fetch(ctx, api_keys) if str(i.get("id", "")).startswith(incomplete)]


def complete_api_version(incomplete: str) -> list[str]:
    from discue_cli.api.generations import AUTO, GENERATIONS

    return [g for g in (*GENERATIONS, AUTO) if g.startswith(incomplete)]


def complete_help(ctx: typer.Context, incomplete: str) -> list[str]:
    """`discue help <Tab>`: the topics and the nouns; after a noun, its verbs."""
    from discue_cli.commands import NOUNS
    from discue_cli.commands._help import TOPICS, ordered

    words = ctx.params.get("words") or []
    if words:
        return []
    return [n for n in (*TOPICS, *ordered(list(NOUNS))) if n.startswith(incomplete)]
