"""discue api-keys list|get|create|update|delete"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from discue_cli.commands._common import EmbedOption, YesOption, confirm_or_stop, guard_delete, run, with_output
from discue_cli.errors import UsageError
from discue_cli.output import OutputFormat

app = typer.Typer(help="Create, inspect, enable, disable and delete API keys.", no_args_is_help=True)

IdArg = Annotated[str, typer.Argument(metavar="ID", help="The API key's id.", show_default=False)]


class KeyStatus(StrEnum):
    enabled = "enabled"
    disabled = "disabled"


@app.command("list")
@with_output
def list_(ctx: typer.Context, embed: EmbedOption = False, *, fmt: OutputFormat) -> None:
    """List API keys (redacted)."""
    from discue_cli.api import api_keys as api

    async def work(client, out):
        out.show(await api.list_api_keys(client, embed), noun="API keys")

    run(ctx, work, fmt)


@app.command()
@with_output
def get(ctx: typer.Context, key_id: IdArg, *, fmt: OutputFormat) -> None:
    """Show one API key (redacted)."""
    from discue_cli.api import api_keys as api

    async def work(client, out):
        out.show(await api.get_api_key(client, key_id))

    run(ctx, work, fmt)


@app.command()
@with_output
def create(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option("--name", help="A name for the key.")] = None,
    *,
    fmt: OutputFormat,
) -> None:
    """Create an API key; its secret is printed this once."""
    from discue_cli.api import api_keys as api

    async def work(client, out):
        out.show(await api.create_api_key(client, name))
        if not out.fmt.quiet:
            out.info("Store the key now: the API never shows it again.")

    run(ctx, work, fmt)


@app.command()
@with_output
def update(
    ctx: typer.Context,
    key_id: IdArg,
    name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    status: Annotated[KeyStatus | None, typer.Option("--status", help="enabled or disabled.")] = None,
    *,
    fmt: OutputFormat,
) -> None:
    """Rename, enable or disable an API key."""
    from discue_cli.api import api_keys as api

    changes = {k: v for k, v in (("name", name), ("status", status.value if status else None)) if v}

    def check(out):
        if not changes:
            raise UsageError("nothing to change: give --name or --status")

    async def work(client, out):
        out.show(await api.update_api_key(client, key_id, changes))

    run(ctx, work, fmt, check=check)


@app.command()
@with_output
def delete(
    ctx: typer.Context,
    key_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="API key ids.", show_default=False)],
    yes: YesOption = False,
    *,
    fmt: OutputFormat,
) -> None:
    """Delete API keys; clients using them get 401 from then on."""
    from discue_cli.api import api_keys as api

    async def work(client, out):
        targets = [await api.get_api_key(client, key_id) for key_id in key_ids]
        names = ", ".join(str(t.resources[0].get("name") or t.resources[0].get("id")) for t in targets)
        confirm_or_stop(out, yes, f"Delete {len(targets)} API key(s) ({names})? Clients using them lose access.")
        for reply in targets:
            await api.delete_api_key(client, reply.resources[0]["id"])
            out.show(reply)

    run(ctx, work, fmt, check=lambda out: guard_delete(out, yes))
