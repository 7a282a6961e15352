"""discue export [QUEUE...]: the server's queues and listeners in apply's format, on stdout."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import typer

from discue_cli.commands._common import run
from discue_cli.output import Output


@dataclass
class ExportOptions:
    queues: list[str] = field(default_factory=list)  # ids or names; empty: all


async def export_run(opts: ExportOptions, client: Any, out: Output) -> None:
    from discue_cli.commands.apply.state import read_server
    from discue_cli.commands.apply.toml_out import export_text
    from discue_cli.errors import NotFoundError

    wanted = set(opts.queues)

    def chosen(queue: Any) -> bool:
        return not wanted or queue.name in wanted or queue.id in wanted

    queues = await read_server(client, chosen)
    queues = [q for q in queues if chosen(q)]
    missing = sorted(wanted - {q.name for q in queues} - {q.id for q in queues})
    if missing:
        raise NotFoundError(f"no queue named '{missing[0]}'", hint="`discue queues list` shows the queues")
    out.line(export_text(queues).rstrip("\n"))


def register(root: typer.Typer) -> None:
    @root.command("export")
    def export(
        ctx: typer.Context,
        queues: Annotated[
            list[str] | None,
            typer.Argument(metavar="[QUEUE]...", help="Ids or names (default: every queue).", show_default=False),
        ] = None,
    ) -> None:
        """Print the server's queues and listeners as a file for `discue apply`."""
        run(ctx, export_run, ExportOptions(list(queues or [])), loop=True)
