"""What every command shares: the global state, the output options, and the one runner."""

from __future__ import annotations

import asyncio
import functools
import inspect
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer

from discue_cli.errors import DiscueError, UsageError
from discue_cli.output import Output, OutputFormat

if TYPE_CHECKING:
    from discue_cli.api.client import Client
    from discue_cli.settings import Settings


@dataclass
class State:
    """ctx.obj: the raw global flags; settings are resolved only when a command needs them."""

    flags: dict[str, Any] = field(default_factory=dict)
    no_color: bool = False
    _settings: Settings | None = None

    def output(self, fmt: OutputFormat | None = None) -> Output:
        return Output(fmt, color=not self.no_color)

    def settings(self, out: Output) -> Settings:
        if self._settings is None:
            from discue_cli.settings import resolve

            self._settings = resolve(self.flags, os.environ)
            for warning in self._settings.warnings:
                out.warn(warning)
        return self._settings


def load_profile(ctx: typer.Context) -> tuple[Any, dict[str, Any], str]:
    """The config file's path, its parsed data, and the profile this run acts on; warns on stderr."""
    from discue_cli.settings import config_path, load_config, profile_name

    st = state(ctx)
    path = config_path(os.environ)
    data, warnings = load_config(path)
    out = st.output()
    for warning in warnings:
        out.warn(warning)
    return path, data, profile_name(st.flags, os.environ)


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
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


Work = Callable[["Client", Output], Awaitable[Any]]


def run(
    ctx: typer.Context,
    work: Work,
    fmt: OutputFormat | None = None,
    *,
    concurrency: int = 8,
    check: Callable[[Output], None] | None = None,
) -> Any:
    """Resolve settings, open one client, run `work`, and turn every failure into its exit code."""
    st = state(ctx)
    out = st.output(fmt)
    try:
        out.fmt.check()
        if check:
            check(out)
        settings = st.settings(out)
        return asyncio.run(_with_client(settings, out, work, concurrency))
    except DiscueError as exc:
        out.error(exc)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        out.info("Interrupted.")
        raise typer.Exit(130) from None
    except BrokenPipeError:
        # The reader stopped (`| head`): not an error. Point stdout at /dev/null so the final flush
        # at exit cannot raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        raise typer.Exit(0) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:  # a bug: one line, not a traceback, unless asked for
        if os.environ.get("DISCUE_DEBUG") == "1":
            raise
        out.error(
            DiscueError(
                f"internal error: {type(exc).__name__}: {exc}", hint="run again with DISCUE_DEBUG=1 for the traceback"
            )
        )
        raise typer.Exit(1) from None


async def _with_client(settings: Settings, out: Output, work: Work, concurrency: int) -> Any:
    from discue_cli.api.client import open_client

    client = open_client(
        settings,
        pretty=out.fmt.pretty,
        concurrency=concurrency,
        on_exchange=out.exchange if settings.verbose else None,
    )
    async with client:
        return await work(client, out)


def run_listing(
    ctx: typer.Context,
    fmt: OutputFormat,
    queue: str | None,
    embed: bool,
    noun: str,
    list_all: Callable[..., Awaitable[Any]],
    list_in_queue: Callable[..., Awaitable[Any]],
) -> None:
    """`NOUN list [QUEUE]`: one queue's resources, or every queue's when no QUEUE is given."""
    from discue_cli.api.resolve import resolve_queue_id

    async def work(client: Client, out: Output) -> None:
        if queue is None:
            reply = await list_all(client, embed)
        else:
            reply = await list_in_queue(client, await resolve_queue_id(client, queue), embed)
        out.show(reply, noun=noun)

    run(ctx, work, fmt)


def guard_delete(out: Output, yes: bool) -> None:
    """Refuse a delete that nobody confirmed and nobody can confirm."""
    if not yes and not out.stdin_tty:
        raise UsageError("refusing to delete without --yes in a non-interactive run", hint="add --yes to delete")


def confirm_or_stop(out: Output, yes: bool, question: str) -> None:
    """Ask on a terminal unless --yes; a no stops the command with exit 2, nothing deleted."""
    if yes:
        return
    if not out.confirm(question):
        out.info("Nothing deleted.")
        raise typer.Exit(2)
