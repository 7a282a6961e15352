"""discue messages list|get|add|update|delete|watch"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from discue_cli.commands._common import (
    EmbedOption,
    YesOption,
    confirm_or_stop,
    guard_delete,
    run,
    run_listing,
    state,
    with_output,
)
from discue_cli.errors import UsageError
from discue_cli.output import OutputFormat

app = typer.Typer(help="Add, list, rename, delete and watch messages.", no_args_is_help=True)

QueueArg = Annotated[str, typer.Argument(metavar="QUEUE", help="The queue's id or name.", show_default=False)]
MessageArg = Annotated[str, typer.Argument(metavar="MESSAGE", help="The message's id.", show_default=False)]


@app.command("list")
@with_output
def list_(
    ctx: typer.Context,
    queue: Annotated[str | None, typer.Argument(metavar="[QUEUE]", help="Only this queue's messages.")] = None,
    embed: EmbedOption = False,
    *,
    fmt: OutputFormat,
) -> None:
    """List the messages of a queue, or of all queues."""
    from discue_cli.api import messages as api

    run_listing(ctx, fmt, queue, embed, "messages", api.list_all_messages, api.list_messages)


@app.command()
@with_output
def get(ctx: typer.Context, queue: QueueArg, message: MessageArg, *, fmt: OutputFormat) -> None:
    """Show one message."""
    from discue_cli.api import messages as api
    from discue_cli.api.resolve import resolve_queue_id

    async def work(client, out):
        out.show(await api.get_message(client, await resolve_queue_id(client, queue), message))

    run(ctx, work, fmt)


def read_data_file(path: str) -> str:
    """A message's data from a file or stdin ('-'), without one trailing newline."""
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
    return text[:-1] if text.endswith("\n") else text


def open_batch(path: str):
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")  # noqa: SIM115 - closed by the batch command
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


@app.command()
@with_output
def add(
    ctx: typer.Context,
    queue: QueueArg,
    data: Annotated[str | None, typer.Argument(help="The message's data string, sent as is.")] = None,
    data_file: Annotated[
        str | None, typer.Option("--data-file", metavar="PATH|-", help="Read the data from a file, or stdin.")
    ] = None,
    batch: Annotated[
        str | None,
        typer.Option("--batch", metavar="PATH|-", help="Send one message per non-empty line of a file, or stdin."),
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=256, help="Messages in flight at once with --batch.")
    ] = 8,
    *,
    fmt: OutputFormat,
) -> None:
    """Put a message on a queue (or many, with --batch)."""
    sources = [s for s in (data, data_file, batch) if s is not None]
    if len(sources) != 1:
        state(ctx).output(fmt).error(UsageError("give exactly one of DATA, --data-file or --batch"))
        raise typer.Exit(2)
    if batch is not None:
        from discue_cli.commands._batch import run_batch

        run_batch(ctx, queue, batch, concurrency, fmt)
        return

    from discue_cli.api import messages as api
    from discue_cli.api.resolve import resolve_queue_id

    payload: list[str] = []

    def check(out):
        payload.append(data if data is not None else read_data_file(data_file))

    async def work(client, out):
        out.show(await api.add_message(client, await resolve_queue_id(client, queue), payload[0]))

    run(ctx, work, fmt, check=check)


@app.command()
@with_output
def update(
    ctx: typer.Context,
    queue: QueueArg,
    message: MessageArg,
    name: Annotated[str, typer.Option("--name", help="The message's new name.", show_default=False)],
    *,
    fmt: OutputFormat,
) -> None:
    """Rename a message."""
    from discue_cli.api import messages as api
    from discue_cli.api.resolve import resolve_queue_id

    async def work(client, out):
        out.show(await api.update_message(client, await resolve_queue_id(client, queue), message, name))

    run(ctx, work, fmt)


@app.command()
@with_output
def delete(
    ctx: typer.Context,
    queue: QueueArg,
    messages: Annotated[list[str], typer.Argument(metavar="MESSAGE...", help="Message ids.", show_default=False)],
    yes: YesOption = False,
    *,
    fmt: OutputFormat,
) -> None:
    """Delete messages from a queue."""
    from discue_cli.api import messages as api
    from discue_cli.api.resolve import resolve_queue_id

    async def work(client, out):
        queue_id = await resolve_queue_id(client, queue)
        targets = [await api.get_message(client, queue_id, ref) for ref in messages]
        confirm_or_stop(out, yes, f"Delete {len(targets)} message(s)? Undelivered ones are lost.")
        for reply in targets:
            await api.delete_message(client, queue_id, reply.resources[0]["id"])
            out.show(reply)

    run(ctx, work, fmt, check=lambda out: guard_delete(out, yes))


@app.command()
def watch(
    ctx: typer.Context,
    queue: QueueArg,
    interval: Annotated[float, typer.Option("--interval", min=0.1, help="Seconds between polls.")] = 1.0,
    json_: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Follow a queue like tail -f: print each new message once, until Ctrl-C."""
    from discue_cli.commands._watch import run_watch

    run_watch(ctx, queue, interval, json_)
