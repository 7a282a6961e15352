"""discue config set|get|unset|list|path (acts on --profile)"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from discue_cli.commands._common import load_profile, state
from discue_cli.errors import DiscueError, NotFoundError, UsageError

app = typer.Typer(help="Read and change the config file's profile settings.", no_args_is_help=True)

KeyArg = Annotated[str, typer.Argument(help="api_key, api_endpoint, local, timeout or retries.")]


def _guard(ctx: typer.Context, action):
    try:
        return action()
    except DiscueError as exc:
        state(ctx).output().error(exc)
        raise typer.Exit(exc.exit_code) from None
    except OSError as exc:
        state(ctx).output().error(UsageError(f"cannot write the config file: {exc.strerror}"))
        raise typer.Exit(2) from None


def _shown(key: str, value) -> str:
    from discue_cli.settings import redact

    if key == "api_key":
        return redact(str(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_key(key: str) -> None:
    from discue_cli.settings import CONFIG_KEYS

    if key not in CONFIG_KEYS:
        raise UsageError(f"unknown setting '{key}' (known: {', '.join(CONFIG_KEYS)})")


@app.command("set")
def set_(ctx: typer.Context, key: KeyArg, value: Annotated[str, typer.Argument(help="The value.")]) -> None:
    """Set a setting in the profile."""
    from discue_cli.settings import parse_value, save_config

    def action():
        _check_key(key)
        parsed = parse_value(key, value, key)
        path, data, profile = load_profile(ctx)
        data.setdefault("profiles", {}).setdefault(profile, {})[key] = parsed
        save_config(path, data)
        state(ctx).output().info(f"Set {key} for profile '{profile}'.")

    _guard(ctx, action)


@app.command()
def get(ctx: typer.Context, key: KeyArg) -> None:
    """Print a setting of the profile (the API key redacted); exit 4 when unset."""

    def action():
        _check_key(key)
        path, data, profile = load_profile(ctx)
        table = data.get("profiles", {}).get(profile, {})
        if key not in table:
            raise NotFoundError(f"{key} is not set in profile '{profile}'")
        state(ctx).output().line(_shown(key, table[key]))

    _guard(ctx, action)


@app.command()
def unset(ctx: typer.Context, key: KeyArg) -> None:
    """Remove a setting from the profile."""
    from discue_cli.settings import save_config

    def action():
        _check_key(key)
        path, data, profile = load_profile(ctx)
        table = data.get("profiles", {}).get(profile, {})
        if key in table:
            del table[key]
            save_config(path, data)
        state(ctx).output().info(f"Unset {key} for profile '{profile}'.")

    _guard(ctx, action)


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Print the profile's settings as KEY<TAB>VALUE lines (the API key redacted)."""

    def action():
        path, data, profile = load_profile(ctx)
        table = data.get("profiles", {}).get(profile, {})
        state(ctx).output().pairs([(k, _shown(k, v)) for k, v in table.items()])

    _guard(ctx, action)


@app.command()
def path(ctx: typer.Context) -> None:
    """Print the config file's path."""
    from discue_cli.settings import config_path

    state(ctx).output().line(str(config_path(os.environ)))
