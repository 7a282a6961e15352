"""discue api-clients create"""

from __future__ import annotations

from typing import Annotated

import typer

from discue_cli.commands._common import run, with_output
from discue_cli.output import OutputFormat

app = typer.Typer(help="Create API clients (organizations).", no_args_is_help=True)


async def create_run(name: str, client, out) -> None:
    from discue_cli.api import api_keys as api

    reply = await api.create_api_client(client, name)
    if reply.body:
        out.show(reply)
    out.info(f"Created API client {name}.")


@app.command()
@with_output
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The client's name, e.g. example.com/dev.")],
    *,
    fmt: OutputFormat,
) -> None:
    """Create an API client (an organization)."""
    run(ctx, create_run, name, fmt)
