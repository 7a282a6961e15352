"""discue auth login|status|logout"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

from discue_cli.commands._common import context, run, run_local
from discue_cli.context import Context
from discue_cli.errors import DiscueError, Interrupted, UsageError
from discue_cli.output import Output

app = typer.Typer(help="Store, check and forget the API key of a profile.", no_args_is_help=True)


async def verify_key(_opts, client, _out) -> None:
    await client.request("GET", "/queues")


@dataclass
class LoginOptions:
    with_key: bool = False
    no_verify: bool = False


def read_key(opts: LoginOptions, c: Context, out: Output) -> str:
    from discue_cli.settings import parse_value

    try:
        if opts.with_key:
            key = c.streams.stdin.readline().strip()
        elif out.stdin_tty:
            key = out.secret("API key: ").strip()
        else:
            raise UsageError("no terminal to ask for the key on", hint="pipe it in with `discue auth login --with-key`")
    except (KeyboardInterrupt, EOFError):
        raise Interrupted("\nInterrupted.") from None
    return parse_value("api_key", key, "the key")


@app.command()
def login(
    ctx: typer.Context,
    with_key: Annotated[bool, typer.Option("--with-key", help="Read the key from stdin; never prompt.")] = False,
    no_verify: Annotated[bool, typer.Option("--no-verify", help="Store the key without checking it.")] = False,
) -> None:
    """Store an API key in the profile (asks for it, hidden; --with-key reads stdin)."""
    from discue_cli.settings import save_config

    c = context(ctx)
    out = c.output()
    opts = LoginOptions(with_key, no_verify)
    path, data, profile = c.config()
    key = read_key(opts, c, out)
    if not opts.no_verify:
        c.flags["api_key"] = key
        run(ctx, verify_key)
    data.setdefault("profiles", {}).setdefault(profile, {})["api_key"] = key
    save_config(path, data)
    out.info(f"Stored the API key for profile '{profile}' in {path}.")


async def status_run(c: Context, client, out: Output) -> None:
    from discue_cli.settings import redact, redact_url

    settings = c.settings()
    shown = [
        ("profile", settings.profile),
        ("endpoint", "local (embedded)" if settings.local else redact_url(settings.api_endpoint)),
        ("api_key", "not needed" if settings.local else redact(settings.api_key)),
        ("config", str(settings.config_path)),
    ]
    try:
        await client.request("GET", "/queues")
    except DiscueError as exc:
        out.pairs([*shown, ("status", f"failing: {exc.title}")])
        raise
    out.pairs([*shown, ("status", "ok")])


@app.command()
def status(ctx: typer.Context) -> None:
    """Show the profile, endpoint and (redacted) key, and check the key with one call."""
    run(ctx, status_run, context(ctx))


def logout_run(_opts, c: Context, out: Output) -> None:
    from discue_cli.settings import save_config

    path, data, profile = c.config()
    table = data.get("profiles", {}).get(profile, {})
    if "api_key" not in table:
        out.info(f"No API key stored for profile '{profile}'.")
        return
    del table["api_key"]
    save_config(path, data)
    out.info(f"Removed the API key of profile '{profile}' from {path}.")


@app.command()
def logout(ctx: typer.Context) -> None:
    """Remove the stored API key from the profile."""
    run_local(ctx, logout_run)
