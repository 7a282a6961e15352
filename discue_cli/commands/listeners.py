"""discue listeners list|get|add|update|delete"""

from __future__ import annotations

from typing import Annotated

import typer

from discue_cli.commands._common import (
    EmbedOption,
    YesOption,
    confirm_or_stop,
    guard_delete,
    run,
    run_listing,
    with_output,
)
from discue_cli.errors import UsageError
from discue_cli.output import OutputFormat

app = typer.Typer(help="Add, inspect, change and delete the listeners of a queue.", no_args_is_help=True)

QueueArg = Annotated[str, typer.Argument(metavar="QUEUE", help="The queue's id or name.", show_default=False)]
ListenerArg = Annotated[
    str, typer.Argument(metavar="LISTENER", help="The listener's id or name within the queue.", show_default=False)
]


def check_url(value: str | None, flag: str) -> None:
    """An http(s) URL with a host, checked before anything is sent."""
    if value is None:
        return
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{flag}: '{value}' is not an http(s) URL")


@app.command("list")
@with_output
def list_(
    ctx: typer.Context,
    queue: Annotated[str | None, typer.Argument(metavar="[QUEUE]", help="Only this queue's listeners.")] = None,
    embed: EmbedOption = False,
    *,
    fmt: OutputFormat,
) -> None:
    """List the listeners of a queue, or of all queues."""
    from discue_cli.api import listeners as api

    run_listing(ctx, fmt, queue, embed, "listeners", api.list_all_listeners, api.list_listeners)


@app.command()
@with_output
def get(ctx: typer.Context, queue: QueueArg, listener: ListenerArg, *, fmt: OutputFormat) -> None:
    """Show one listener, with its liveness and delivery figures."""
    from discue_cli.api import listeners as api
    from discue_cli.api.resolve import resolve_listener_id, resolve_queue_id

    async def work(client, out):
        queue_id = await resolve_queue_id(client, queue)
        out.show(await api.get_listener(client, queue_id, await resolve_listener_id(client, queue_id, listener)))

    run(ctx, work, fmt)


@app.command()
@with_output
def add(
    ctx: typer.Context,
    queue: QueueArg,
    name: Annotated[str, typer.Argument(help="The listener's name.")],
    notify_url: Annotated[
        str, typer.Option("--notify-url", metavar="URL", help="Where messages are sent.", show_default=False)
    ],
    liveness_url: Annotated[
        str, typer.Option("--liveness-url", metavar="URL", help="Where liveness is probed.", show_default=False)
    ],
    if_not_exists: Annotated[
        bool, typer.Option("--if-not-exists", help="When the queue has a listener of that name, print it, exit 0.")
    ] = False,
    *,
    fmt: OutputFormat,
) -> None:
    """Add a listener to a queue."""
    from discue_cli.api import listeners as api
    from discue_cli.api.resolve import find_by_name, resolve_queue_id

    def check(out):
        check_url(notify_url, "--notify-url")
        check_url(liveness_url, "--liveness-url")

    async def work(client, out):
        queue_id = await resolve_queue_id(client, queue)
        if if_not_exists:
            existing = find_by_name((await api.list_listeners(client, queue_id)).resources, name)
            if existing and existing.get("name") == name:
                out.show(await api.get_listener(client, queue_id, existing["id"]))
                return
        out.show(await api.add_listener(client, queue_id, name, notify_url, liveness_url))

    run(ctx, work, fmt, check=check)


@app.command()
@with_output
def update(
    ctx: typer.Context,
    queue: QueueArg,
    listener: ListenerArg,
    name: Annotated[str | None, typer.Option("--name", help="A new name.", show_default=False)] = None,
    notify_url: Annotated[str | None, typer.Option("--notify-url", metavar="URL", help="A new notify URL.")] = None,
    liveness_url: Annotated[
        str | None, typer.Option("--liveness-url", metavar="URL", help="A new liveness URL.")
    ] = None,
    *,
    fmt: OutputFormat,
) -> None:
    """Change a listener's name or URLs."""
    from discue_cli.api import listeners as api
    from discue_cli.api.resolve import resolve_listener_id, resolve_queue_id

    changes = {k: v for k, v in (("name", name), ("notify_url", notify_url), ("liveness_url", liveness_url)) if v}

    def check(out):
        if not changes:
            raise UsageError("nothing to change: give --name, --notify-url or --liveness-url")
        check_url(notify_url, "--notify-url")
        check_url(liveness_url, "--liveness-url")

    async def work(client, out):
        queue_id = await resolve_queue_id(client, queue)
        listener_id = await resolve_listener_id(client, queue_id, listener)
        out.show(await api.update_listener(client, queue_id, listener_id, changes))

    run(ctx, work, fmt, check=check)


@app.command()
@with_output
def delete(
    ctx: typer.Context,
    queue: QueueArg,
    listeners: Annotated[list[str], typer.Argument(metavar="LISTENER...", help="Ids or names.", show_default=False)],
    yes: YesOption = False,
    *,
    fmt: OutputFormat,
) -> None:
    """Delete listeners of a queue."""
    from discue_cli.api import listeners as api
    from discue_cli.api.resolve import resolve_listener_id, resolve_queue_id

    async def work(client, out):
        queue_id = await resolve_queue_id(client, queue)
        targets = [
            await api.get_listener(client, queue_id, await resolve_listener_id(client, queue_id, ref))
            for ref in listeners
        ]
        names = ", ".join(str(t.resources[0].get("name")) for t in targets)
        confirm_or_stop(out, yes, f"Delete {len(targets)} listener(s) ({names})? They get no more messages.")
        for reply in targets:
            await api.delete_listener(client, queue_id, reply.resources[0]["id"])
            out.show(reply)

    run(ctx, work, fmt, check=lambda out: guard_delete(out, yes))
