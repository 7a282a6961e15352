"""discue queues list|get|create|update|delete"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

from discue_cli.commands._common import (
    EmbedOption,
    LimitOption,
    QueueArg,
    YesOption,
    delete_all,
    guard_delete,
    limited,
    run,
    with_output,
)
from discue_cli.commands._complete import complete_queue
from discue_cli.output import OutputFormat

app = typer.Typer(help="Create, inspect, rename and delete queues.", no_args_is_help=True)


@dataclass
class ListOptions:
    embed: bool = False
    limit: int | None = None


async def list_run(opts: ListOptions, client, out) -> None:
    from discue_cli.api import queues as api

    out.show(limited(await api.list_queues(client, opts.embed), "queues", opts.limit), noun="queues")


@app.command("list")
@with_output
def list_(ctx: typer.Context, embed: EmbedOption = False, limit: LimitOption = None, *, fmt: OutputFormat) -> None:
    """List all queues."""
    run(ctx, list_run, ListOptions(embed, limit), fmt)


@dataclass
class GetOptions:
    queue: str


async def get_run(opts: GetOptions, client, out) -> None:
    from discue_cli.api import queues as api
    from discue_cli.api.resolve import resolve_queue_id

    out.show(await api.get_queue(client, await resolve_queue_id(client, opts.queue)))


@app.command()
@with_output
def get(ctx: typer.Context, queue: QueueArg, *, fmt: OutputFormat) -> None:
    """Show one queue and its listeners."""
    run(ctx, get_run, GetOptions(queue), fmt)


@dataclass
class CreateOptions:
    name: str
    if_not_exists: bool = False


async def create_run(opts: CreateOptions, client, out) -> None:
    from discue_cli.api import queues as api
    from discue_cli.api.resolve import resolve_queue_id
    from discue_cli.errors import ConflictError

    try:
        reply = await api.create_queue(client, opts.name)
    except ConflictError as exc:
        if not opts.if_not_exists:
            exc.hint = f"a queue named '{opts.name}' may exist already; --if-not-exists reuses it"
            raise
        reply = await api.get_queue(client, await resolve_queue_id(client, opts.name))
    out.show(reply)


@app.command()
@with_output
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A unique name, e.g. myapp.io/deletion-request-queue.")],
    if_not_exists: Annotated[
        bool, typer.Option("--if-not-exists", help="When the name exists, print that queue and exit 0.")
    ] = False,
    *,
    fmt: OutputFormat,
) -> None:
    """Create a queue."""
    run(ctx, create_run, CreateOptions(name, if_not_exists), fmt)


@dataclass
class UpdateOptions:
    queue: str
    name: str


async def update_run(opts: UpdateOptions, client, out) -> None:
    from discue_cli.api import queues as api
    from discue_cli.api.resolve import resolve_queue_id

    out.show(await api.update_queue(client, await resolve_queue_id(client, opts.queue), opts.name))


@app.command()
@with_output
def update(
    ctx: typer.Context,
    queue: QueueArg,
    name: Annotated[str, typer.Option("--name", help="The new name.", show_default=False)],
    *,
    fmt: OutputFormat,
) -> None:
    """Rename a queue."""
    run(ctx, update_run, UpdateOptions(queue, name), fmt)


@dataclass
class DeleteOptions:
    queues: list[str]
    yes: bool = False


async def delete_run(opts: DeleteOptions, client, out) -> None:
    from discue_cli.api import messages as messages_api
    from discue_cli.api import queues as api
    from discue_cli.api.resolve import resolve_queue_id

    guard_delete(out, opts.yes)
    targets = [await api.get_queue(client, await resolve_queue_id(client, ref)) for ref in opts.queues]
    listing = None
    if not opts.yes:
        lines = []
        for reply in targets:
            queue = reply.resources[0]
            count = len((await messages_api.list_messages(client, queue["id"])).resources)
            listeners = len(queue.get("listeners") or [])
            lines.append(f"  {queue.get('name')} ({queue['id']}): {listeners} listener(s), {count} message(s)")
        listing = "These queues will be deleted, with their listeners and messages:\n" + "\n".join(lines)

    async def delete(queue):
        await api.delete_queue(client, queue["id"])

    await delete_all(out, opts.yes, targets, delete, f"Delete {len(targets)} queue(s)?", listing, noun="queue")


@app.command()
@with_output
def delete(
    ctx: typer.Context,
    queues: Annotated[
        list[str],
        typer.Argument(metavar="QUEUE...", help="Ids or names.", show_default=False, autocompletion=complete_queue),
    ],
    yes: YesOption = False,
    *,
    fmt: OutputFormat,
) -> None:
    """Delete queues, with all their listeners and messages."""
    run(ctx, delete_run, DeleteOptions(queues, yes), fmt)
