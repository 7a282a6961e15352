"""discue messages list|get|add|update|delete|watch"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

from discue_cli.commands._common import (
    EmbedOption,
    LimitOption,
    QueueArg,
    YesOption,
    check_name,
    context,
    delete_all,
    guard_delete,
    limited,
    list_in_queue_or_all,
    naming,
    run,
    unique,
    with_output,
    with_queue_names,
)
from discue_cli.commands._complete import complete_message, complete_queue
from discue_cli.errors import UsageError
from discue_cli.output import OutputFormat

app = typer.Typer(help="Add, list, rename, delete and watch messages.", no_args_is_help=True)

MessageArg = Annotated[
    str,
    typer.Argument(metavar="MESSAGE", help="The message's id.", show_default=False, autocompletion=complete_message),
]


@dataclass
class ListOptions:
    queue: str | None = None
    embed: bool = False
    limit: int | None = None


# A terminal shows this many messages of a long listing, then how many there are (--limit or a pipe: more).
TERMINAL_ROWS = 100


async def list_run(opts: ListOptions, client, out) -> None:
    from discue_cli.api import Reply
    from discue_cli.api import messages as api

    # A person at a terminal sees each message's data (a preview), so the table asks for full messages.
    terminal = out.stdout_tty and not (out.fmt.structured or out.fmt.quiet)
    embed = opts.embed or terminal
    if opts.queue is not None and not out.fmt.structured:
        await list_streamed(opts, client, out, embed, terminal)
        return
    reply = await list_in_queue_or_all(client, opts.queue, embed, api.list_all_messages, api.list_messages)
    reply = limited(reply, "messages", opts.limit)
    rows = reply.resources
    if opts.queue is None and rows and not (out.fmt.structured or out.fmt.quiet):
        rows = await with_queue_names(client, reply, "messages")
    if terminal:
        rows = [terminal_row(row) for row in rows]
    out.show(Reply(reply.body, rows, single=False), noun="messages")


async def list_streamed(opts: ListOptions, client, out, embed: bool, terminal: bool) -> None:
    """One queue's messages written as they are parsed (TSV or ids), or on a terminal the first rows and
    a count: a long listing is never held whole (--json and --jq print the body as sent, so read it whole)."""
    from contextlib import aclosing

    from discue_cli.api import messages as api
    from discue_cli.api.resolve import with_queue
    from discue_cli.output.formats import columns, escape_controls, tsv_row

    async def on_queue(queue_id: str) -> None:
        shown_rows = opts.limit if opts.limit is not None else TERMINAL_ROWS
        rows: list[dict] = []
        keys: list[str] | None = None
        count = 0
        async with aclosing(api.stream_messages(client, queue_id, embed)) as messages:
            async for message in messages:
                if opts.limit is not None and count >= opts.limit:
                    break
                count += 1
                if out.fmt.quiet:
                    if message.get("id") is not None:
                        message_id = str(message["id"])
                        out.line(escape_controls(message_id) if out.stdout_tty else message_id)
                elif terminal:
                    if len(rows) < shown_rows:
                        rows.append(terminal_row(message))
                else:
                    keys = keys or columns([message])
                    out.line(tsv_row(message, keys))
        if not terminal:
            return
        if not rows:
            out.info("No messages.")
            return
        out.table(rows)
        if count > len(rows):
            out.info(f"Showing the first {len(rows)} of {count} messages (--limit N shows more, a pipe all of them).")

    await with_queue(client, opts.queue, on_queue)


def terminal_row(message: dict) -> dict:
    """What the table shows of a message: id, name, queue (across queues), a data preview, the time."""
    from discue_cli.output.formats import preview

    row = {key: message[key] for key in ("id", "name", "queue") if key in message}
    if "data" in message:
        row["data"] = preview(message["data"])
    if "created_at" in message:
        row["created_at"] = message["created_at"]
    return row


@app.command("list")
@with_output
def list_(
    ctx: typer.Context,
    queue: Annotated[
        str | None, typer.Argument(metavar="[QUEUE]", help="Only this queue's messages.", autocompletion=complete_queue)
    ] = None,
    embed: EmbedOption = False,
    limit: LimitOption = None,
    *,
    fmt: OutputFormat,
) -> None:
    """List the messages of a queue, or of all queues (with a QUEUE column)."""
    # On the event loop: a long listing is streamed, which the asynchronous client does.
    run(ctx, list_run, ListOptions(queue, embed, limit), fmt, loop=queue is not None)


@dataclass
class CountOptions:
    queue: str


async def count_run(opts: CountOptions, client, out) -> None:
    """The number of messages in a queue: its plain listing (ids and names only where the API sends just
    those), counted as it is parsed; the API has no cheaper figure (its stats count events, not messages)."""
    from contextlib import aclosing

    from discue_cli.api import messages as api
    from discue_cli.api.resolve import with_queue

    async def on_queue(queue_id: str) -> None:
        count = 0
        async with aclosing(api.stream_messages(client, queue_id)) as messages:
            async for _ in messages:
                count += 1
        if out.fmt.structured:
            body = {"queue_id": queue_id, "count": count}
            if out.fmt.jq is not None:
                out.jq_results(body)
            else:
                out.json(body)
            return
        out.line(str(count))

    await with_queue(client, opts.queue, on_queue)


@app.command()
@with_output
def count(ctx: typer.Context, queue: QueueArg, *, fmt: OutputFormat) -> None:
    """Print the number of messages in a queue (a bare number; --json: an object)."""
    run(ctx, count_run, CountOptions(queue), fmt, loop=True)


@dataclass
class GetOptions:
    queue: str
    message: str


async def get_run(opts: GetOptions, client, out) -> None:
    from discue_cli.api import messages as api
    from discue_cli.api.resolve import with_queue

    async def on_queue(queue_id: str) -> None:
        out.show(await naming(api.get_message(client, queue_id, opts.message), described(opts.message, opts.queue)))

    await with_queue(client, opts.queue, on_queue)


def described(message: str, queue: str) -> str:
    return f"message '{message}' in queue '{queue}'"


@app.command()
@with_output
def get(ctx: typer.Context, queue: QueueArg, message: MessageArg, *, fmt: OutputFormat) -> None:
    """Show one message."""
    run(ctx, get_run, GetOptions(queue, message), fmt)


@dataclass
class AddOptions:
    queue: str
    data: str
    name: str | None = None


async def add_run(opts: AddOptions, client, out) -> None:
    from discue_cli.api import messages as api
    from discue_cli.api.generations import SINCE_2023, refuse_unless, writing
    from discue_cli.api.resolve import with_queue

    if opts.name is not None:
        await writing(client)
        refuse_unless(client, "message names on create", SINCE_2023)
    warn_if_broken_json(opts.data, out)
    added = await with_queue(
        client, opts.queue, lambda queue_id: api.add_message(client, queue_id, opts.data, opts.name)
    )
    out.show(added)


def warn_if_broken_json(data: str, out) -> None:
    """Data that starts like JSON (`{`, `[`) but is not: most likely a quoting slip in the shell. It is
    still sent as the text it is (the API takes any string), but the person hears of it."""
    import json

    if not data.lstrip().startswith(("{", "[")):
        return
    try:
        json.loads(data)
    except RecursionError:
        return  # nested past what Python parses: JSON all the same, most likely
    except ValueError as exc:
        where = f" (line {exc.lineno} column {exc.colno}: {exc.msg})" if isinstance(exc, json.JSONDecodeError) else ""
        out.warn(f"the data starts like JSON but is not valid JSON{where}; it is sent as text, as given")


@app.command()
@with_output
def add(
    ctx: typer.Context,
    queue: QueueArg,
    data: Annotated[str | None, typer.Argument(help="The message's data string, sent as is.")] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="A name for the message (2023-04 on).", show_default=False)
    ] = None,
    data_file: Annotated[
        str | None, typer.Option("--data-file", metavar="PATH|-", help="Read the data from a file, or stdin.")
    ] = None,
    batch: Annotated[
        str | None,
        typer.Option("--batch", metavar="PATH|-", help="Send one message per non-empty line of a file, or stdin."),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency",
            min=1,
            max=256,
            help="Pin the messages in flight with --batch [default: adapts to the API, up to 256].",
            show_default=False,
        ),
    ] = None,
    rate: Annotated[
        float | None,
        typer.Option(
            "--rate", min=0.1, metavar="N", help="At most N messages a second with --batch.", show_default=False
        ),
    ] = None,
    *,
    fmt: OutputFormat,
) -> None:
    """Put a message on a queue (or many, with --batch)."""
    if len([s for s in (data, data_file, batch) if s is not None]) != 1:
        context(ctx).output(fmt)
        raise UsageError("give exactly one of DATA, --data-file or --batch")
    if name is not None:
        context(ctx).output(fmt)
        check_name(name, "--name")
        if batch is not None:
            raise UsageError("--name names one message; it cannot be combined with --batch")
    stdin = context(ctx).streams.stdin_bytes
    if batch is not None:
        from discue_cli.commands._batch import BatchOptions, batch_run
        from discue_cli.commands._input import open_batch

        opts = BatchOptions(queue, open_batch(batch, stdin), concurrency, rate, context(ctx).flags)
        try:
            run(ctx, batch_run, opts, fmt, concurrency=concurrency or 8, loop=True)
        finally:
            if opts.stream is not stdin:
                opts.stream.close()
        return
    if data is None:
        from discue_cli.commands._input import read_data_file

        data = read_data_file(data_file, stdin)
    run(ctx, add_run, AddOptions(queue, data, name), fmt)


@dataclass
class UpdateOptions:
    queue: str
    message: str
    name: str


async def update_run(opts: UpdateOptions, client, out) -> None:
    from discue_cli.api import messages as api
    from discue_cli.api.resolve import with_queue

    check_name(opts.name, "--name")

    async def on_queue(queue_id: str) -> None:
        work = api.update_message(client, queue_id, opts.message, opts.name)
        out.show(await naming(work, described(opts.message, opts.queue)))

    await with_queue(client, opts.queue, on_queue)


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
    run(ctx, update_run, UpdateOptions(queue, message, name), fmt)


@dataclass
class DeleteOptions:
    queue: str
    messages: list[str]
    yes: bool = False


async def delete_run(opts: DeleteOptions, client, out) -> None:
    from discue_cli.api import messages as api
    from discue_cli.api.resolve import with_queue

    guard_delete(out, opts.yes)

    async def on_queue(queue_id: str) -> None:
        targets = []
        for ref in unique(opts.messages):
            targets.append(await naming(api.get_message(client, queue_id, ref), described(ref, opts.queue)))

        async def delete(message):
            await api.delete_message(client, queue_id, message["id"])

        listing = None
        if not opts.yes:
            from discue_cli.output.formats import preview

            lines = [f"  {t.resources[0].get('id')}  {preview(t.resources[0].get('data', ''))}" for t in targets]
            listing = "These messages will be deleted:\n" + "\n".join(lines)
        question = f"Delete {len(targets)} message(s)? Undelivered ones are lost."
        await delete_all(out, opts.yes, targets, delete, question, listing, noun="message")

    await with_queue(client, opts.queue, on_queue)


@app.command()
@with_output
def delete(
    ctx: typer.Context,
    queue: QueueArg,
    messages: Annotated[
        list[str],
        typer.Argument(metavar="MESSAGE...", help="Message ids.", show_default=False, autocompletion=complete_message),
    ],
    yes: YesOption = False,
    *,
    fmt: OutputFormat,
) -> None:
    """Delete messages from a queue."""
    run(ctx, delete_run, DeleteOptions(queue, messages, yes), fmt)


@app.command()
def watch(
    ctx: typer.Context,
    queue: QueueArg,
    interval: Annotated[float, typer.Option("--interval", min=0.1, help="Seconds between polls.")] = 1.0,
    json_: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Follow a queue like tail -f: print each new message once, until Ctrl-C."""
    from discue_cli.commands._watch import WatchOptions, watch_run

    run(ctx, watch_run, WatchOptions(queue, interval, json_), OutputFormat(json=json_), loop=True)
