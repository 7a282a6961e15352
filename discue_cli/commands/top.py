"""discue top: a live view of queues, listeners and events; --once / --json for scripts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

import typer

from discue_cli.commands._common import context, run, with_output
from discue_cli.errors import AuthError, DiscueError, Interrupted, UsageError
from discue_cli.output import Output, OutputFormat

COLUMNS = ["id", "name", "messages", "listeners", "failing"]


@dataclass
class TopOptions:
    endpoint: str
    refs: list[str] = field(default_factory=list)
    interval: float = 2.0


def snapshot_reply(snap):
    from discue_cli.api import Reply

    body = snap.as_json()
    return Reply(body, body["queues"], single=False, columns=COLUMNS)


async def once_run(opts: TopOptions, client, out: Output) -> None:
    from discue_cli.top.model import Poller

    poller = Poller(client, opts.endpoint, opts.refs)
    out.show(snapshot_reply(await poller.refresh(everything=True, raising=True)), noun="queues")


async def stream_run(opts: TopOptions, client, out: Output) -> None:
    """One JSON snapshot per interval (NDJSON); a 401/403 ends it, other failures are retried with back-off."""
    import asyncio

    from discue_cli.top.model import Poller

    poller = Poller(client, opts.endpoint, opts.refs)
    first = True
    while True:
        try:
            snap = await poller.refresh(everything=first, raising=True)
        except AuthError:
            raise
        except DiscueError as exc:
            out.warn(f"{exc.title}; retrying in {poller.delay(opts.interval):g}s")
        else:
            first = False
            out.show(snapshot_reply(snap))
            out.flush()
        await asyncio.sleep(poller.delay(opts.interval))


async def live_run(opts: TopOptions, client, out: Output) -> None:
    import asyncio

    from discue_cli.top.model import Poller
    from discue_cli.top.view import INTERRUPTED, TopApp

    client.on_exchange = None  # -v's lines on stderr would tear through the full-screen view
    app = TopApp(Poller(client, opts.endpoint, opts.refs), opts.interval)
    await app.run_async()
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        # SIGTERM or SIGHUP cancelled the run (see _common.stop_on_signals); Textual ended its app quietly
        # and gave the terminal back: the cancellation is passed on, so the exit says which signal it was.
        raise asyncio.CancelledError
    if app.return_code == INTERRUPTED:
        raise Interrupted()


def endpoint_shown(ctx: typer.Context) -> str:
    from discue_cli.redaction import redact_url

    c = context(ctx)
    settings = c.settings()
    if settings.local:
        from discue_cli.settings import local_db_path

        return f"local discue ({local_db_path(c.environ)})"
    return redact_url(settings.api_endpoint)


def register(root: typer.Typer) -> None:
    @root.command("top")
    @with_output
    def top(
        ctx: typer.Context,
        queues: Annotated[
            list[str] | None,
            typer.Argument(metavar="[QUEUE...]", help="Only these queues (ids or names).", show_default=False),
        ] = None,
        interval: Annotated[
            float,
            typer.Option("--interval", min=0.5, metavar="SECONDS", help="Seconds between refreshes."),
        ] = 2.0,
        once: Annotated[
            bool, typer.Option("--once", help="Print one snapshot and exit (TSV: one line a queue).")
        ] = False,
        *,
        fmt: OutputFormat,
    ) -> None:
        """A live view of queues, listeners and events (q quits); --once or --json off a terminal."""
        out = context(ctx).output(fmt)
        opts = TopOptions(endpoint_shown(ctx), list(dict.fromkeys(queues or [])), interval)
        if once:
            run(ctx, once_run, opts, fmt)
        elif fmt.structured:
            run(ctx, stream_run, opts, fmt, loop=True)
        elif not (out.stdout_tty and out.stdin_tty and out.stderr_tty):  # Textual reads stdin, draws on stderr
            raise UsageError(
                "`discue top` draws a live view and needs a terminal",
                hint="use --once for one snapshot, or --json for one JSON snapshot per interval",
            )
        else:
            run(ctx, live_run, opts, fmt, loop=True)
