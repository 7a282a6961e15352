"""discue domains list|get|create|update|delete (the 2024-08 generation)"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer

from discue_cli.commands._common import (
    YesOption,
    check_name,
    context,
    delete_all,
    display_name,
    guard_delete,
    naming,
    run,
    unique,
    with_output,
)
from discue_cli.errors import UsageError
from discue_cli.output import OutputFormat

app = typer.Typer(help="Add, verify, change and delete custom domains (2024-08 generation).", no_args_is_help=True)

DomainArg = Annotated[str, typer.Argument(metavar="DOMAIN", help="The domain's id or alias.", show_default=False)]
HOSTNAME = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def check_domain(hostname: str | None, port: int | None) -> None:
    """What discue's provider checks: a DNS host name, and port 80, 443 or 1024-65535."""
    if hostname is not None and not HOSTNAME.match(hostname):
        raise UsageError(f"--hostname: '{hostname}' is not a host name (e.g. hooks.myapp.io)")
    if port is not None and not (port in (80, 443) or 1024 <= port <= 65535):
        raise UsageError(f"--port: {port} is not allowed (80, 443 or 1024-65535)")


def challenge_hint(domain: dict[str, Any]) -> str | None:
    """How to pass the domain's challenge, when it still has one open."""
    https = ((domain.get("challenge") or {}).get("https")) or {}
    if (domain.get("verification") or {}).get("verified") or not https.get("file_name"):
        return None
    port = domain.get("port")
    origin = f"https://{domain.get('hostname')}" + (f":{port}" if port not in (None, 443) else "")
    context_path = str(https.get("context_path") or "").strip("/")
    where = "/".join(p for p in (origin, context_path, str(https["file_name"])) if p)
    return f"To verify {domain.get('hostname')}, serve exactly the challenge's file_content at {where}"


def show_domain(out, reply) -> None:
    out.show(reply)
    for domain in reply.resources:
        hint = challenge_hint(domain)
        if hint and not out.fmt.quiet:
            out.info(hint)


async def domain_id(client, ref: str) -> str:
    from discue_cli.api.generations import ONLY_2024, refuse_unless
    from discue_cli.api.resolve import resolve_domain_id

    refuse_unless(client, "domains", ONLY_2024)
    return await resolve_domain_id(client, ref)


async def list_run(_opts, client, out) -> None:
    from discue_cli.api import domains as api

    out.show(await api.list_domains(client), noun="domains")


@app.command("list")
@with_output
def list_(ctx: typer.Context, *, fmt: OutputFormat) -> None:
    """List custom domains with their verification state."""
    run(ctx, list_run, None, fmt)


async def get_run(ref: str, client, out) -> None:
    from discue_cli.api import domains as api

    show_domain(out, await naming(api.get_domain(client, await domain_id(client, ref)), f"domain '{ref}'"))


@app.command()
@with_output
def get(ctx: typer.Context, domain: DomainArg, *, fmt: OutputFormat) -> None:
    """Show a domain: its challenge and whether it is verified."""
    run(ctx, get_run, domain, fmt)


PortOption = Annotated[int | None, typer.Option("--port", help="80, 443 or 1024-65535.", show_default=False)]
HostOption = Annotated[str | None, typer.Option("--hostname", metavar="HOST", help="A new host name.")]


@dataclass
class DomainOptions:
    ref: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)


async def create_run(opts: DomainOptions, client, out) -> None:
    from discue_cli.api import domains as api

    show_domain(out, await api.create_domain(client, opts.fields))


@app.command()
@with_output
def create(
    ctx: typer.Context,
    alias: Annotated[str, typer.Argument(metavar="ALIAS", help="A name for the domain.")],
    hostname: Annotated[str, typer.Option("--hostname", metavar="HOST", help="The host name, e.g. hooks.myapp.io.")],
    port: PortOption = None,
    *,
    fmt: OutputFormat,
) -> None:
    """Add a domain; the reply's challenge says how to prove you own it."""
    context(ctx).output(fmt)
    check_name(alias, "the domain alias")
    check_domain(hostname, port)
    fields = {"alias": alias, "hostname": hostname, **({"port": port} if port is not None else {})}
    run(ctx, create_run, DomainOptions(None, fields), fmt)


async def update_run(opts: DomainOptions, client, out) -> None:
    from discue_cli.api import domains as api

    target = await domain_id(client, opts.ref)
    show_domain(out, await naming(api.update_domain(client, target, opts.fields), f"domain '{opts.ref}'"))


@app.command()
@with_output
def update(
    ctx: typer.Context,
    domain: DomainArg,
    alias: Annotated[str | None, typer.Option("--alias", help="A new alias.", show_default=False)] = None,
    hostname: HostOption = None,
    port: PortOption = None,
    *,
    fmt: OutputFormat,
) -> None:
    """Change a domain's alias, host name or port."""
    context(ctx).output(fmt)
    check_name(alias, "--alias")
    check_domain(hostname, port)
    fields = {k: v for k, v in (("alias", alias), ("hostname", hostname), ("port", port)) if v is not None}
    if not fields:
        raise UsageError("nothing to change: give --alias, --hostname or --port")
    run(ctx, update_run, DomainOptions(domain, fields), fmt)


@dataclass
class DeleteOptions:
    domains: list[str]
    yes: bool = False


async def delete_run(opts: DeleteOptions, client, out) -> None:
    from discue_cli.api import domains as api

    guard_delete(out, opts.yes)
    targets = []
    for ref in unique(opts.domains):
        targets.append(await naming(api.get_domain(client, await domain_id(client, ref)), f"domain '{ref}'"))
    names = ", ".join(display_name(t.resources[0]) for t in targets)

    async def delete(domain):
        await api.delete_domain(client, domain["id"])

    await delete_all(out, opts.yes, targets, delete, f"Delete {len(targets)} domain(s) ({names})?")


@app.command()
@with_output
def delete(
    ctx: typer.Context,
    domains: Annotated[list[str], typer.Argument(metavar="DOMAIN...", help="Ids or aliases.", show_default=False)],
    yes: YesOption = False,
    *,
    fmt: OutputFormat,
) -> None:
    """Delete domains."""
    run(ctx, delete_run, DeleteOptions(domains, yes), fmt)
