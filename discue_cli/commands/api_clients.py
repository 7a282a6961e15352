"""discue api-clients create|update"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

from discue_cli.commands._common import check_name, context, naming, run, with_output
from discue_cli.output import OutputFormat

app = typer.Typer(help="Create and rename API clients (organizations).", no_args_is_help=True)


async def create_run(name: str | None, client, out) -> None:
    from discue_cli.api import api_keys as api

    reply = await api.create_api_client(client, name)
    if reply.body:
        out.show(reply)
    shown = name if name is not None else (reply.resources[0].get("name") if reply.resources else None)
    out.info(f"Created API client {shown}." if shown else "Created an API client.")


@app.command()
@with_output
def create(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="The client's name, e.g. example.com/dev.")] = None,
    *,
    fmt: OutputFormat,
) -> None:
    """Create an API client (an organization)."""
    context(ctx).output(fmt)
    check_name(name, "the API client name")
    run(ctx, create_run, name, fmt)


@dataclass
class UpdateOptions:
    client_id: str
    name: str


async def update_run(opts: UpdateOptions, client, out) -> None:
    from discue_cli.api import api_keys as api

    out.show(await naming(api.update_api_client(client, opts.client_id, opts.name), f"API client '{opts.client_id}'"))


@app.command()
@with_output
def update(
    ctx: typer.Context,
    client_id: Annotated[str, typer.Argument(metavar="ID", help="The API client's id.", show_default=False)],
    name: Annotated[str, typer.Option("--name", help="The new name.", show_default=False)],
    *,
    fmt: OutputFormat,
) -> None:
    """Rename an API client (2023-04 on)."""
    context(ctx).output(fmt)
    check_name(name, "--name")
    run(ctx, update_run, UpdateOptions(client_id, name), fmt)
