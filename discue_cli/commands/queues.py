"""discue queues list|get|create|update|delete"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

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
    naming,
    run,
    unique,
    with_output,
)
from discue_cli.commands._complete import complete_queue
from discue_cli.errors import UsageError
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
    from discue_cli.api.resolve import with_queue

    fetched = with_queue(client, opts.queue, lambda queue_id: api.get_queue(client, queue_id))
    out.show(await naming(fetched, f"queue '{opts.queue}'"))


@app.command()
@with_output
def get(ctx: typer.Context, queue: QueueArg, *, fmt: OutputFormat) -> None:
    """Show one queue (with its listeners or schema, as the API generation has them)."""
    run(ctx, get_run, GetOptions(queue), fmt)


SchemaOption = Annotated[
    str | None,
    typer.Option(
        "--schema",
        metavar="JSON|@FILE",
        help="A message schema: a JSON object of field rules (2023-04 on); @FILE or @- reads it.",
        show_default=False,
    ),
]


def read_schema(ctx: typer.Context, value: str | None) -> dict | None:
    """--schema as a checked object of rules, read and checked before anything is sent."""
    if value is None:
        return None
    import json

    from discue_cli.api.generations import schema_problems
    from discue_cli.commands._input import read_json_arg

    schema = json.loads(read_json_arg(value, context(ctx).streams.stdin_bytes, "--schema"))
    problems = schema_problems(schema)
    if problems:
        raise UsageError(f"--schema: {problems[0]}", hint="see `queues create --help`: {FIELD: {type: ..., ...}}")
    return schema


def taken(exc: Exception, name: str | None) -> Exception:
    """A 422/409 on a name says which name may be taken."""
    if name is not None:
        exc.hint = f"a queue named '{name}' may exist already; --if-not-exists reuses it"
    return exc


@dataclass
class CreateOptions:
    name: str
    if_not_exists: bool = False
    schema: dict | None = None


async def create_run(opts: CreateOptions, client, out) -> None:
    from discue_cli.api import queues as api
    from discue_cli.api.resolve import queue_named
    from discue_cli.errors import ConflictError

    try:
        reply = await api.create_queue(client, opts.name, opts.schema)
    except ConflictError as exc:
        if not opts.if_not_exists:
            raise taken(exc, opts.name) from None
        reply = await api.get_queue(client, await queue_named(client, opts.name))  # a name, whatever its shape
    out.show(reply)


@app.command()
@with_output
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A unique name, e.g. myapp.io/deletion-request-queue.")],
    if_not_exists: Annotated[
        bool, typer.Option("--if-not-exists", help="When the name exists, print that queue and exit 0.")
    ] = False,
    schema: SchemaOption = None,
    *,
    fmt: OutputFormat,
) -> None:
    """Create a queue, with a message schema if given."""
    context(ctx).output(fmt)
    check_name(name, "the queue name")
    run(ctx, create_run, CreateOptions(name, if_not_exists, read_schema(ctx, schema)), fmt)


@dataclass
class UpdateOptions:
    queue: str
    name: str | None = None
    schema: Any = None  # a dict, api.queues.REMOVE, or None: unchanged


async def update_run(opts: UpdateOptions, client, out) -> None:
    from discue_cli.api import queues as api
    from discue_cli.api.generations import SINCE_2023, refuse_unless, writing
    from discue_cli.api.resolve import with_queue
    from discue_cli.errors import ConflictError

    if opts.schema is not None:
        await writing(client)
        refuse_unless(client, "queue schemas", SINCE_2023)
    try:
        update = lambda qid: api.update_queue(client, qid, opts.name, opts.schema)  # noqa: E731
        reply = await naming(with_queue(client, opts.queue, update), f"queue '{opts.queue}'")
    except ConflictError as exc:
        raise taken(exc, opts.name) from None
    out.show(reply)


@app.command()
@with_output
def update(
    ctx: typer.Context,
    queue: QueueArg,
    name: Annotated[str | None, typer.Option("--name", help="The new name.", show_default=False)] = None,
    schema: SchemaOption = None,
    no_schema: Annotated[bool, typer.Option("--no-schema", help="Remove the queue's schema.")] = False,
    *,
    fmt: OutputFormat,
) -> None:
    """Rename a queue, or set or remove its message schema."""
    from discue_cli.api.queues import REMOVE

    context(ctx).output(fmt)
    check_name(name, "--name")
    if schema is not None and no_schema:
        raise UsageError("give --schema or --no-schema, not both")
    if name is None and schema is None and not no_schema:
        raise UsageError("nothing to change: give --name, --schema or --no-schema")
    run(ctx, update_run, UpdateOptions(queue, name, REMOVE if no_schema else read_schema(ctx, schema)), fmt)


@dataclass
class DeleteOptions:
    queues: list[str]
    yes: bool = False


async def delete_run(opts: DeleteOptions, client, out) -> None:
    from discue_cli.api import listeners as listeners_api
    from discue_cli.api import messages as messages_api
    from discue_cli.api import queues as api
    from discue_cli.api.resolve import with_queue

    guard_delete(out, opts.yes)
    targets = []
    for ref in unique(opts.queues):
        fetched = with_queue(client, ref, lambda queue_id: api.get_queue(client, queue_id))
        targets.append(await naming(fetched, f"queue '{ref}'"))
    listing = None
    if not opts.yes:
        lines = []
        for reply in targets:
            queue = reply.resources[0]
            count = len((await messages_api.list_messages(client, queue["id"])).resources)
            if isinstance(queue.get("listeners"), list):
                listeners = len(queue["listeners"])
            else:  # 2023-04 on: a queue no longer lists its listeners
                listeners = len((await listeners_api.list_listeners(client, queue["id"])).resources)
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
