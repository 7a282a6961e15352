"""discue api-keys list|get|create|update|delete"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

import typer

from discue_cli.commands._common import (
    EmbedOption,
    LimitOption,
    YesOption,
    check_name,
    context,
    delete_all,
    display_name,
    guard_delete,
    limited,
    naming,
    run,
    unique,
    with_output,
)
from discue_cli.commands._complete import complete_api_key
from discue_cli.errors import UsageError
from discue_cli.output import OutputFormat

app = typer.Typer(help="Create, inspect, enable, disable and delete API keys.", no_args_is_help=True)

IdArg = Annotated[
    str, typer.Argument(metavar="ID", help="The API key's id.", show_default=False, autocompletion=complete_api_key)
]


class KeyStatus(StrEnum):
    enabled = "enabled"
    disabled = "disabled"


@dataclass
class ListOptions:
    embed: bool = False
    limit: int | None = None


async def list_run(opts: ListOptions, client, out) -> None:
    from discue_cli.api import api_keys as api

    out.show(limited(await api.list_api_keys(client, opts.embed), "api_keys", opts.limit), noun="API keys")


@app.command("list")
@with_output
def list_(ctx: typer.Context, embed: EmbedOption = False, limit: LimitOption = None, *, fmt: OutputFormat) -> None:
    """List API keys (redacted)."""
    run(ctx, list_run, ListOptions(embed, limit), fmt)


async def get_run(key_id: str, client, out) -> None:
    from discue_cli.api import api_keys as api

    out.show(await naming(api.get_api_key(client, key_id), f"API key '{key_id}'"))


@app.command()
@with_output
def get(ctx: typer.Context, key_id: IdArg, *, fmt: OutputFormat) -> None:
    """Show one API key (redacted)."""
    run(ctx, get_run, key_id, fmt)


NameOption = Annotated[str | None, typer.Option("--name", help="A name for the key.", show_default=False)]
StatusOption = Annotated[KeyStatus | None, typer.Option("--status", help="enabled or disabled.")]
ScopeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--scope",
        metavar="RESOURCE:ACCESS[:TARGETS]",
        help="A scope, e.g. queues:write or messages:read:ID1,ID2 (2023-04 on); repeatable.",
        show_default=False,
    ),
]


def key_fields(name: str | None, status: KeyStatus | None, scopes: list[str] | None) -> dict[str, Any]:
    """The options given, checked before anything is sent."""
    from discue_cli.api.generations import parse_scope

    check_name(name, "--name")
    fields: dict[str, Any] = {}
    if name is not None:
        fields["name"] = name
    if status is not None:
        fields["status"] = status.value
    if scopes:
        fields["scopes"] = [parse_scope(scope) for scope in scopes]
    return fields


@dataclass
class CreateOptions:
    fields: dict[str, Any] = field(default_factory=dict)


async def create_run(opts: CreateOptions, client, out) -> None:
    from discue_cli.api import api_keys as api

    reply = await api.create_api_key(client, opts.fields)
    out.show(reply)
    if not reply.ids:
        out.warn("the API's reply does not say the new key's id; `discue api-keys list` shows it")
    out.info("Store the key now: the API never shows it again.")


@app.command()
@with_output
def create(
    ctx: typer.Context,
    name: NameOption = None,
    status: StatusOption = None,
    scope: ScopeOption = None,
    *,
    fmt: OutputFormat,
) -> None:
    """Create an API key; its secret is printed this once."""
    context(ctx).output(fmt)
    if fmt.quiet and not fmt.structured:  # (with a format, check() says the two do not combine)
        raise UsageError(
            "-q/--quiet would print only the id and lose the new key's secret (the API never shows it again)",
            hint="leave out -q (id, name and key, tab-separated when piped), or pick fields with --jq",
        )
    run(ctx, create_run, CreateOptions(key_fields(name, status, scope)), fmt)


@dataclass
class UpdateOptions:
    key_id: str
    changes: dict[str, Any] = field(default_factory=dict)


async def update_run(opts: UpdateOptions, client, out) -> None:
    from discue_cli.api import api_keys as api

    out.show(await naming(api.update_api_key(client, opts.key_id, opts.changes), f"API key '{opts.key_id}'"))


@app.command()
@with_output
def update(
    ctx: typer.Context,
    key_id: IdArg,
    name: NameOption = None,
    status: StatusOption = None,
    scope: ScopeOption = None,
    *,
    fmt: OutputFormat,
) -> None:
    """Rename, enable or disable an API key, or replace its scopes (--scope replaces the whole list)."""
    context(ctx).output(fmt)
    changes = key_fields(name, status, scope)
    if not changes:
        raise UsageError("nothing to change: give --name, --status or --scope")
    run(ctx, update_run, UpdateOptions(key_id, changes), fmt)


@dataclass
class DeleteOptions:
    key_ids: list[str]
    yes: bool = False


async def delete_run(opts: DeleteOptions, client, out) -> None:
    from discue_cli.api import api_keys as api

    guard_delete(out, opts.yes)
    # all exist, or nothing goes
    targets = [await naming(api.get_api_key(client, key_id), f"API key '{key_id}'") for key_id in unique(opts.key_ids)]
    names = ", ".join(display_name(t.resources[0]) for t in targets)
    own = [t for t in targets if is_key_in_use(t.resources[0], client.api_key)]
    if len(own) == 1 and len(targets) > 1:
        # Deleted first, it would lock this very command out of the others.
        targets = [t for t in targets if t is not own[0]] + own
        out.info(f"{display_name(own[0].resources[0])} is the key this command uses: it is deleted last.")

    async def delete(key):
        await api.delete_api_key(client, key["id"])

    question = f"Delete {len(targets)} API key(s) ({names})? Clients using them lose access."
    await delete_all(out, opts.yes, targets, delete, question, noun="API key")


def is_key_in_use(resource: dict, api_key: str | None) -> bool:
    """Whether a key's shown prefix (the API returns only the first characters) starts our key."""
    import hmac

    prefix = resource.get("key")
    if not api_key or not isinstance(prefix, str) or not prefix:
        return False
    return hmac.compare_digest(prefix.encode(), api_key[: len(prefix)].encode())  # constant time


@app.command()
@with_output
def delete(
    ctx: typer.Context,
    key_ids: Annotated[
        list[str],
        typer.Argument(metavar="ID...", help="API key ids.", show_default=False, autocompletion=complete_api_key),
    ],
    yes: YesOption = False,
    *,
    fmt: OutputFormat,
) -> None:
    """Delete API keys; clients using them get 401 from then on."""
    run(ctx, delete_run, DeleteOptions(key_ids, yes), fmt)
