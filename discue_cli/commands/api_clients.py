"""discue api-clients create"""

from __future__ import annotations

from typing import Annotated

import typer

from discue_cli.commands._common import run, with_output
from discue_cli.output import OutputFormat

app = typer.Typer(help="Create API clients (organizations).", no_args_is_help=True)


@app.command()
@with_output
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The client's name, e.g. example.com/dev.")],
    *,
    fmt: OutputFormat,
) -> None:
    """Create an API client (an organization)."""
    from discue_cli.api import api_keys as api

    async def work(client, out):
        reply = await api.create_api_client(client, name)
        if reply.body:
            out.show(reply)
        out.info(f"Created API client {name}.")

    run(ctx, work, fmt)
