"""discue queues list|get|create|update|delete"""

from __future__ import annotations

from typing import Annotated

import typer

from discue_cli.commands._common import EmbedOption, YesOption, confirm_or_stop, guard_delete, run, with_output
from discue_cli.output import OutputFormat

app = typer.Typer(help="Create, inspect, rename and delete queues.", no_args_is_help=True)

QueueArg = Annotated[str, typer.Argument(metavar="QUEUE", help="The queue's id or name.", show_default=False)]


@app.command("list")
@with_output
def list_(ctx: typer.Context, embed: EmbedOption = False, *, fmt: OutputFormat) -> None:
    """List all queues."""
    from discue_cli.api import queues as api

    async def work(client, out):
        out.show(await api.list_queues(client, embed), noun="queues")

    run(ctx, work, fmt)


@app.command()
@with_output
def get(ctx: typer.Context, queue: QueueArg, *, fmt: OutputFormat) -> None:
    """Show one queue and its listeners."""
    from discue_cli.api import queues as api
    from discue_cli.api.resolve import resolve_queue_id

    async def work(client, out):
        out.show(await api.get_queue(client, await resolve_queue_id(client, queue)))

    run(ctx, work, fmt)


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
    from discue_cli.api import queues as api
    from discue_cli.api.resolve import resolve_queue_id
    from discue_cli.errors import ConflictError

    async def work(client, out):
        try:
            reply = await api.create_queue(client, name)
        except ConflictError as exc:
            if not if_not_exists:
                exc.hint = f"a queue named '{name}' may exist already; --if-not-exists reuses it"
                raise
            reply = await api.get_queue(client, await resolve_queue_id(client, name))
        out.show(reply)

    run(ctx, work, fmt)


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
    from discue_cli.api import queues as api
    from discue_cli.api.resolve import resolve_queue_id

    async def work(client, out):
        out.show(await api.update_queue(client, await resolve_queue_id(client, queue), name))

    run(ctx, work, fmt)


@app.command()
@with_output
def delete(
    ctx: typer.Context,
    queues: Annotated[list[str], typer.Argument(metavar="QUEUE...", help="Ids or names.", show_default=False)],
    yes: YesOption = False,
    *,
    fmt: OutputFormat,
) -> None:
    """Delete queues, with all their listeners and messages."""
    from discue_cli.api import messages as messages_api
    from discue_cli.api import queues as api
    from discue_cli.api.resolve import resolve_queue_id

    async def work(client, out):
        targets = []
        for ref in queues:
            targets.append(await api.get_queue(client, await resolve_queue_id(client, ref)))
        if not yes:
            lines = []
            for reply in targets:
                queue = reply.resources[0]
                count = len((await messages_api.list_messages(client, queue["id"])).resources)
                listeners = len(queue.get("listeners") or [])
                lines.append(f"  {queue.get('name')} ({queue['id']}): {listeners} listener(s), {count} message(s)")
            out.info("These queues will be deleted, with their listeners and messages:\n" + "\n".join(lines))
            confirm_or_stop(out, yes, f"Delete {len(targets)} queue(s)?")
        for reply in targets:
            await api.delete_queue(client, reply.resources[0]["id"])
            out.show(reply)

    run(ctx, work, fmt, check=lambda out: guard_delete(out, yes))
