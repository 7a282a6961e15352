"""discue config set|get|unset|list|path (acts on --profile)"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from discue_cli.commands._common import run_local
from discue_cli.context import Context
from discue_cli.errors import NotFoundError
from discue_cli.output import Output

app = typer.Typer(help="Read and change the config file's profile settings.", no_args_is_help=True)

KeyArg = Annotated[str, typer.Argument(help="api_key, api_endpoint, local, timeout or retries.")]


def shown(key: str, value: Any) -> str:
    from discue_cli.redaction import redact, redact_url

    if key == "api_key":
        return redact(str(value))
    if key == "api_endpoint":
        return redact_url(str(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def set_run(pair: tuple[str, str], c: Context, out: Output) -> None:
    from discue_cli.settings import parse_value, update_profile

    key, value = pair
    parsed = parse_value(key, value, key)
    path, _, profile = c.config()
    update_profile(path, profile, {key: parsed})
    out.info(f"Set {key} for profile '{profile}'.")


@app.command("set")
def set_(ctx: typer.Context, key: KeyArg, value: Annotated[str, typer.Argument(help="The value.")]) -> None:
    """Set a setting in the profile."""
    run_local(ctx, set_run, (key, value))


def get_run(key: str, c: Context, out: Output) -> None:
    from discue_cli.settings import check_key

    check_key(key)
    _, data, profile = c.config()
    table = data.get("profiles", {}).get(profile, {})
    if key not in table:
        raise NotFoundError(f"{key} is not set in profile '{profile}'")
    out.line(shown(key, table[key]))


@app.command()
def get(ctx: typer.Context, key: KeyArg) -> None:
    """Print a setting of the profile (the API key redacted); exit 4 when unset."""
    run_local(ctx, get_run, key)


def unset_run(key: str, c: Context, out: Output) -> None:
    from discue_cli.settings import check_key, profile_table, update_profile

    check_key(key)
    path, data, profile = c.config()
    if key in profile_table(data, profile):
        update_profile(path, profile, {key: None})
    out.info(f"Unset {key} for profile '{profile}'.")


@app.command()
def unset(ctx: typer.Context, key: KeyArg) -> None:
    """Remove a setting from the profile."""
    run_local(ctx, unset_run, key)


def list_run(_opts, c: Context, out: Output) -> None:
    _, data, profile = c.config()
    table = data.get("profiles", {}).get(profile, {})
    out.pairs([(k, shown(k, v)) for k, v in table.items()])


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Print the profile's settings as KEY<TAB>VALUE lines (the API key redacted)."""
    run_local(ctx, list_run)


def path_run(_opts, c: Context, out: Output) -> None:
    from discue_cli.settings import config_path

    out.line(str(config_path(c.environ)))


@app.command()
def path(ctx: typer.Context) -> None:
    """Print the config file's path."""
    run_local(ctx, path_run)
