"""What every command shares: the Context, the output options, the runner, deletes and URL checks.

A verb is a typer function that fills a small options object and hands it, with a run function,
to `run`; the run function does the work against a Client and an Output and raises DiscueError
subclasses, which the one error boundary in app.py turns into a line and an exit code.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from discue_cli.commands._complete import complete_queue
from discue_cli.context import Context
from discue_cli.errors import Interrupted, SilentExit, UsageError
from discue_cli.output import Output, OutputFormat
from discue_cli.signals import cancel_on_stop_signals, first_stop

if TYPE_CHECKING:
    from discue_cli.api import Reply
    from discue_cli.api.client import Client

Opts = TypeVar("Opts")
RunFn = Callable[[Opts, "Client", Output], Awaitable[Any]]


def context(ctx: typer.Context) -> Context:
    """The run's Context (made by the root callback; a bare one when a sub-app runs alone)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Context):
        root.obj = Context()
    return root.obj


JsonOption = Annotated[bool, typer.Option("--json", help="Print the API's JSON reply, compact.")]
PrettyOption = Annotated[
    bool, typer.Option("--pretty", help="Print the JSON reply indented (implies --json; sends pretty=true).")
]
JqOption = Annotated[
    str | None, typer.Option("--jq", metavar="EXPR", help="Print the result of a jq expression on the reply.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the ids, one per line.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking.")]
EmbedOption = Annotated[bool, typer.Option("--embed", help="Ask for the full resources (_embed=true).")]
LimitOption = Annotated[
    int | None,
    typer.Option("--limit", min=1, metavar="N", help="Show at most the first N (in every format).", show_default=False),
]
QueueArg = Annotated[
    str,
    typer.Argument(metavar="QUEUE", help="The queue's id or name.", show_default=False, autocompletion=complete_queue),
]


def with_output(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --json/--pretty/--jq/--quiet to a command and hand it an OutputFormat as `fmt`."""
    extra = [
        inspect.Parameter("json_", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=JsonOption),
        inspect.Parameter("pretty", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=PrettyOption),
        inspect.Parameter("jq", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=JqOption),
        inspect.Parameter("quiet", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=QuietOption),
    ]
    import typing

    hints = typing.get_type_hints(command, include_extras=True)
    signature = inspect.signature(command)
    params = [
        p.replace(annotation=hints.get(name, p.annotation)) for name, p in signature.parameters.items() if name != "fmt"
    ]

    @functools.wraps(command)
    def wrapper(
        *args: Any, json_: bool = False, pretty: bool = False, jq: str | None = None, quiet: bool = False, **kwargs: Any
    ) -> Any:
        fmt = OutputFormat(json=json_ or pretty, pretty=pretty, jq=jq, quiet=quiet)
        return command(*args, fmt=fmt, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=params + extra)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params + extra}
    del wrapper.__wrapped__
    return wrapper


def run(
    ctx: typer.Context,
    work: RunFn[Opts],
    options: Opts = None,
    fmt: OutputFormat | None = None,
    *,
    concurrency: int = 8,
    loop: bool = True,
) -> None:
    """Check the output options, open one client, run `work(options, client, out)` under asyncio.

    A non-zero int returned by `work` is the exit code of a run that has already said why.

    Every command runs on the one client shape (an httpx.AsyncClient) in an event loop; Ctrl-C and
    SIGTERM cancel the work's task (see `stop_on_signals`): uncaught, that is exit 130 or 143. A work
    may catch the cancellation to stop cleanly: returning nothing makes the signal its normal end
    (watch: exit 0), returning a code makes it an interruption (a batch: 130 or 143). `loop` is kept
    for the callers that still pass it; it changes nothing."""
    c = context(ctx)
    out = c.output(fmt)
    out.fmt.check()
    client = c.client(out, concurrency=concurrency)

    async def session() -> Any:
        async with client:
            return await work(options, client, out)

    if first_stop() is not None:  # a stop raised while starting up and lost on the way: stop here
        raise KeyboardInterrupt
    code = run_in_loop(session())
    if code:
        raise SilentExit(code)


def run_in_loop(session: Coroutine[Any, Any, Any]) -> Any:
    """Run `session` under asyncio; a signal cancels it (signals.cancel_on_stop_signals) and sets the exit code."""
    import asyncio

    received: list[int] = []

    async def drive_task() -> Any:
        with cancel_on_stop_signals(received):
            try:
                return await session
            except asyncio.CancelledError:
                if not received:
                    raise
                raise Interrupted("Interrupted.", 128 + received[0]) from None

    code = asyncio.run(drive_task())
    if code and received:
        code = 128 + received[0]
    return code


def run_local(ctx: typer.Context, work: Callable[[Opts, Context, Output], Any], options: Opts = None) -> None:
    """Run a verb that needs no API (config, auth bookkeeping, emulator)."""
    c = context(ctx)
    work(options, c, c.output())


def check_url(value: str | None, flag: str) -> None:
    """An http(s) URL with a host and a valid port, if any, checked before anything is sent."""
    from discue_cli.urls import url_problem

    problem = None if value is None else url_problem(value)
    if problem:
        raise UsageError(f"{flag}: {problem}")


def guard_delete(out: Output, yes: bool) -> None:
    """Refuse a delete that nobody confirmed and nobody can confirm."""
    if not yes and not out.stdin_tty:
        raise UsageError("refusing to delete without --yes in a non-interactive run", hint="add --yes to delete")


async def delete_all(
    out: Output,
    yes: bool,
    targets: Sequence[Reply],
    delete: Callable[[dict[str, Any]], Awaitable[Any]],
    question: str,
    listing: str | None = None,
    *,
    noun: str = "resource",
) -> None:
    """The one delete flow: (on a terminal) say what goes and ask; then delete each target.

    Piped or with a format, each deleted resource is printed as it was; a person at a terminal gets
    one line instead, `Deleted 2 queues: a, b` (even when a later delete fails: what went is said)."""
    if not yes:
        if listing:
            out.info(listing)
        if not out.confirm(question):
            out.info("Nothing deleted.")
            raise SilentExit(2)
    deleted: list[str] = []
    try:
        for reply in targets:
            await delete(reply.resources[0])
            deleted.append(display_name(reply.resources[0]))
            if not out.terminal_view:
                out.show(reply)
    finally:
        if out.terminal_view and deleted:
            out.info(f"Deleted {len(deleted)} {noun}{'' if len(deleted) == 1 else 's'}: {', '.join(deleted)}")


def display_name(resource: dict[str, Any]) -> str:
    """What a person calls a resource: its name (or alias), else its id."""
    return str(resource.get("name") or resource.get("alias") or resource.get("id"))


async def list_in_queue_or_all(
    client: Client,
    queue: str | None,
    embed: bool,
    list_all: Callable[..., Awaitable[Reply]],
    list_in_queue: Callable[..., Awaitable[Reply]],
) -> Reply:
    """`NOUN list [QUEUE]`: one queue's resources, or every queue's when no QUEUE is given."""
    from discue_cli.api.resolve import with_queue

    if queue is None:
        return await list_all(client, embed)
    return await with_queue(client, queue, lambda queue_id: list_in_queue(client, queue_id, embed))


def check_name(value: str | None, what: str) -> None:
    """A name with something in it, checked before anything is sent."""
    if value is not None and not value.strip():
        raise UsageError(f"{what} is empty", hint="give a name with at least one visible character")


async def naming(work: Awaitable[Any], what: str) -> Any:
    """Await `work`; a 404 from it keeps the API's title and says which resource was not there."""
    from discue_cli.errors import NotFoundError

    try:
        return await work
    except NotFoundError as exc:
        exc.hint = exc.hint or f"there is no {what}"
        raise


def unique(refs: Sequence[str]) -> list[str]:
    """Arguments in order with repeats dropped (deleting `a a` deletes a once)."""
    return list(dict.fromkeys(refs))


def limited(reply: Reply, key: str, limit: int | None) -> Reply:
    """The first `limit` resources of a listing, cut in the body too, so --json and --jq agree with the rest."""
    if limit is None:
        return reply
    from discue_cli.api import Reply

    body = dict(reply.body)
    if isinstance(body.get(key), list):
        body[key] = body[key][:limit]
    embedded = body.get("_embedded")
    if isinstance(embedded, dict) and isinstance(embedded.get(key), list):
        body["_embedded"] = {**embedded, key: embedded[key][:limit]}
    return Reply(body, reply.resources[:limit], single=reply.single)


async def with_queue_names(client: Client, reply: Reply, kind: str) -> list[dict[str, Any]]:
    """The rows of a listing across queues, each with `queue` (the queue's name) after its id and name."""
    from discue_cli.api import queues as queues_api

    queues = (await queues_api.list_queues(client)).resources
    names = {str(q["id"]): display_name(q) for q in queues if q.get("id") is not None}
    hrefs = [link.get("href") for link in (reply.body.get("_links") or {}).values() if isinstance(link, dict)]
    rows = []
    for item in reply.resources:
        queue_id = item.get("queue_id") or queue_in_links(hrefs, kind, item.get("id"))
        rows.append({"queue": names.get(str(queue_id), queue_id), **item})
    return rows


def queue_in_links(hrefs: list[Any], kind: str, item_id: Any) -> str | None:
    """The queue id in the item's link (`.../queues/QID/listeners/ID`), when the reply has one."""
    suffix = f"/{kind}/{item_id}"
    for href in hrefs:
        if isinstance(href, str) and href.endswith(suffix):
            head = href[: -len(suffix)]
            if "/queues/" in head:
                return head.rsplit("/queues/", 1)[1]
    return None
