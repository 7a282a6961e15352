"""discue auth login|status|logout"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from discue_cli.commands._common import load_profile, run, state
from discue_cli.errors import DiscueError, UsageError

app = typer.Typer(help="Store, check and forget the API key of a profile.", no_args_is_help=True)


def _fail(ctx: typer.Context, exc: DiscueError) -> None:
    state(ctx).output().error(exc)
    raise typer.Exit(exc.exit_code)


@app.command()
def login(
    ctx: typer.Context,
    with_key: Annotated[bool, typer.Option("--with-key", help="Read the key from stdin; never prompt.")] = False,
    no_verify: Annotated[bool, typer.Option("--no-verify", help="Store the key without checking it.")] = False,
) -> None:
    """Store an API key in the profile (asks for it, hidden; --with-key reads stdin)."""
    from discue_cli.settings import parse_value, save_config

    out = state(ctx).output()
    try:
        path, data, profile = load_profile(ctx)
        if with_key:
            key = sys.stdin.readline().strip()
        elif out.stdin_tty:
            import getpass

            key = getpass.getpass("API key: ", stream=sys.stderr).strip()
        else:
            raise UsageError("no terminal to ask for the key on", hint="pipe it in with `discue auth login --with-key`")
        key = parse_value("api_key", key, "the key")
    except DiscueError as exc:
        _fail(ctx, exc)
    except (KeyboardInterrupt, EOFError):
        out.info("\nInterrupted.")
        raise typer.Exit(130) from None

    if not no_verify:
        st = state(ctx)
        st.flags = {**st.flags, "api_key": key}

        async def work(client, _out):
            await client.request("GET", "/queues")

        run(ctx, work)
    data.setdefault("profiles", {}).setdefault(profile, {})["api_key"] = key
    try:
        save_config(path, data)
    except OSError as exc:
        _fail(ctx, UsageError(f"cannot write {path}: {exc.strerror}"))
    out.info(f"Stored the API key for profile '{profile}' in {path}.")


@app.command()
def status(ctx: typer.Context) -> None:
    """Show the profile, endpoint and (redacted) key, and check the key with one call."""
    from discue_cli.settings import redact

    st = state(ctx)
    out = st.output()

    async def work(client, _out):
        settings = st.settings(out)
        shown = [
            ("profile", settings.profile),
            ("endpoint", "local (embedded)" if settings.local else settings.api_endpoint),
            ("api_key", "not needed" if settings.local else redact(settings.api_key)),
            ("config", str(settings.config_path)),
        ]
        try:
            await client.request("GET", "/queues")
        except DiscueError as exc:
            out.pairs([*shown, ("status", f"failing: {exc.title}")])
            raise
        out.pairs([*shown, ("status", "ok")])

    run(ctx, work)


@app.command()
def logout(ctx: typer.Context) -> None:
    """Remove the stored API key from the profile."""
    from discue_cli.settings import save_config

    out = state(ctx).output()
    try:
        path, data, profile = load_profile(ctx)
    except DiscueError as exc:
        _fail(ctx, exc)
    table = data.get("profiles", {}).get(profile, {})
    if "api_key" not in table:
        out.info(f"No API key stored for profile '{profile}'.")
        return
    del table["api_key"]
    save_config(path, data)
    out.info(f"Removed the API key of profile '{profile}' from {path}.")
