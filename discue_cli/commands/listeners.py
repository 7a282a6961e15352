"""discue listeners list|get|add|update|delete"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

import typer

from discue_cli.commands._common import (
    EmbedOption,
    LimitOption,
    QueueArg,
    YesOption,
    check_name,
    check_url,
    delete_all,
    display_name,
    guard_delete,
    limited,
    list_in_queue_or_all,
    naming,
    run,
    unique,
    with_output,
)
from discue_cli.commands._complete import complete_listener, complete_queue
from discue_cli.errors import UsageError
from discue_cli.output import OutputFormat

app = typer.Typer(help="Add, inspect, change and delete the listeners of a queue.", no_args_is_help=True)

ListenerArg = Annotated[
    str,
    typer.Argument(
        metavar="LISTENER",
        help="The listener's id or name within the queue.",
        show_default=False,
        autocompletion=complete_listener,
    ),
]


@dataclass
class ListOptions:
    queue: str | None = None
    embed: bool = False
    limit: int | None = None


async def list_run(opts: ListOptions, client, out) -> None:
    from discue_cli.api import Reply
    from discue_cli.api import listeners as api

    if opts.queue is None and not (out.fmt.structured or out.fmt.quiet):
        rows = await listeners_by_queue(client, opts.embed, opts.limit)
        out.show(Reply({"listeners": rows}, rows, single=False), noun="listeners")
        return
    reply = await list_in_queue_or_all(client, opts.queue, opts.embed, api.list_all_listeners, api.list_listeners)
    out.show(limited(reply, "listeners", opts.limit), noun="listeners")


async def listeners_by_queue(client, embed: bool, limit: int | None) -> list[dict]:
    """Every queue's listeners, each row with `queue` (the queue's name): listed queue by queue, as the
    API's GET /listeners names no listener's queue. A queue deleted meanwhile is passed over."""
    from discue_cli.api import listeners as api
    from discue_cli.api import queues as queues_api
    from discue_cli.errors import NotFoundError

    rows: list[dict] = []
    for queue in (await queues_api.list_queues(client)).resources:
        if limit is not None and len(rows) >= limit:
            break
        try:
            listeners = (await api.list_listeners(client, str(queue["id"]), embed)).resources
        except NotFoundError:
            continue
        rows += [{"queue": display_name(queue), **item} for item in listeners]
    return rows[:limit] if limit is not None else rows


@app.command("list")
@with_output
def list_(
    ctx: typer.Context,
    queue: Annotated[
        str | None,
        typer.Argument(metavar="[QUEUE]", help="Only this queue's listeners.", autocompletion=complete_queue),
    ] = None,
    embed: EmbedOption = False,
    limit: LimitOption = None,
    *,
    fmt: OutputFormat,
) -> None:
    """List the listeners of a queue, or of all queues (with a QUEUE column)."""
    run(ctx, list_run, ListOptions(queue, embed, limit), fmt)


@dataclass
class GetOptions:
    queue: str
    listener: str


async def get_run(opts: GetOptions, client, out) -> None:
    from discue_cli.api import listeners as api
    from discue_cli.api.resolve import resolve_listener_id, with_queue

    async def on_queue(queue_id: str) -> None:
        listener_id = await resolve_listener_id(client, queue_id, opts.listener)
        out.show(await naming(api.get_listener(client, queue_id, listener_id), described(opts.listener, opts.queue)))

    await with_queue(client, opts.queue, on_queue)


def described(listener: str, queue: str) -> str:
    return f"listener '{listener}' of queue '{queue}'"


@app.command()
@with_output
def get(ctx: typer.Context, queue: QueueArg, listener: ListenerArg, *, fmt: OutputFormat) -> None:
    """Show one listener, with its liveness and delivery figures."""
    run(ctx, get_run, GetOptions(queue, listener), fmt)


@dataclass
class AddOptions:
    queue: str
    name: str
    notify_url: str
    liveness_url: str
    if_not_exists: bool = False


async def add_run(opts: AddOptions, client, out) -> None:
    from discue_cli.api import listeners as api
    from discue_cli.api.generations import name_of
    from discue_cli.api.resolve import find_by_name, with_queue

    check_name(opts.name, "the listener name")
    check_url(opts.notify_url, "--notify-url")
    check_url(opts.liveness_url, "--liveness-url")

    async def on_queue(queue_id: str) -> None:
        if opts.if_not_exists:
            existing = find_by_name((await api.list_listeners(client, queue_id)).resources, opts.name, "listener")
            if existing and name_of(existing) == opts.name:
                reply = await api.get_listener(client, queue_id, existing["id"])
                warn_if_different(out, opts, reply.resources[0] if reply.resources else {})
                out.show(reply)
                return
        out.show(await api.add_listener(client, queue_id, opts.name, opts.notify_url, opts.liveness_url))

    await with_queue(client, opts.queue, on_queue)


def warn_if_different(out, opts: AddOptions, existing: dict) -> None:
    """--if-not-exists keeps the existing listener: say so when it is not what was asked for."""
    import shlex

    given = {"notify_url": opts.notify_url, "liveness_url": opts.liveness_url}
    differing = {k: v for k, v in given.items() if existing.get(k) is not None and existing.get(k) != v}
    if not differing:
        return
    lines = [f"listener '{opts.name}' exists and was left as it is; it differs from what was given:"]
    lines += [f"  {key}: {existing[key]!r} (given: {value!r})" for key, value in differing.items()]
    out.warn("\n".join(lines))
    flags = " ".join(f"--{key.replace('_', '-')} {shlex.quote(value)}" for key, value in differing.items())
    command = f"discue listeners update {shlex.quote(opts.queue)} {shlex.quote(opts.name)} {flags}"
    out.info(f"Hint: change it with `{command}`, or keep listeners as a file says with `discue apply`")


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
    run(ctx, add_run, AddOptions(queue, name, notify_url, liveness_url, if_not_exists), fmt)


@dataclass
class UpdateOptions:
    queue: str
    listener: str
    changes: dict[str, str] = field(default_factory=dict)


async def update_run(opts: UpdateOptions, client, out) -> None:
    from discue_cli.api import listeners as api
    from discue_cli.api.resolve import resolve_listener_id, with_queue

    if not opts.changes:
        raise UsageError("nothing to change: give --name, --notify-url or --liveness-url")
    check_name(opts.changes.get("name"), "--name")
    check_url(opts.changes.get("notify_url"), "--notify-url")
    check_url(opts.changes.get("liveness_url"), "--liveness-url")

    async def on_queue(queue_id: str) -> None:
        listener_id = await resolve_listener_id(client, queue_id, opts.listener)
        work = api.update_listener(client, queue_id, listener_id, opts.changes)
        out.show(await naming(work, described(opts.listener, opts.queue)))

    await with_queue(client, opts.queue, on_queue)


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
    pairs = (("name", name), ("notify_url", notify_url), ("liveness_url", liveness_url))
    changes = {k: v for k, v in pairs if v is not None}
    run(ctx, update_run, UpdateOptions(queue, listener, changes), fmt)


@dataclass
class DeleteOptions:
    queue: str
    listeners: list[str]
    yes: bool = False


async def delete_run(opts: DeleteOptions, client, out) -> None:
    from discue_cli.api import listeners as api
    from discue_cli.api.resolve import resolve_listener_id, with_queue

    guard_delete(out, opts.yes)

    async def on_queue(queue_id: str) -> None:
        targets = []
        for ref in unique(opts.listeners):
            listener_id = await resolve_listener_id(client, queue_id, ref)
            targets.append(await naming(api.get_listener(client, queue_id, listener_id), described(ref, opts.queue)))
        names = ", ".join(display_name(t.resources[0]) for t in targets)

        async def delete(listener):
            await api.delete_listener(client, queue_id, listener["id"])

        question = f"Delete {len(targets)} listener(s) ({names})? They get no more messages."
        await delete_all(out, opts.yes, targets, delete, question, noun="listener")

    await with_queue(client, opts.queue, on_queue)


@app.command()
@with_output
def delete(
    ctx: typer.Context,
    queue: QueueArg,
    listeners: Annotated[
        list[str],
        typer.Argument(
            metavar="LISTENER...", help="Ids or names.", show_default=False, autocompletion=complete_listener
        ),
    ],
    yes: YesOption = False,
    *,
    fmt: OutputFormat,
) -> None:
    """Delete listeners of a queue."""
    run(ctx, delete_run, DeleteOptions(queue, listeners, yes), fmt)
