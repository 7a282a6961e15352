"""discue auth login|status|logout"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

from discue_cli.commands._common import context, run, run_local
from discue_cli.context import Context
from discue_cli.errors import DiscueError, Interrupted, Stopped, UsageError
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
    except Stopped as exc:
        raise Interrupted("\nInterrupted.", exc.exit_code) from None
    return parse_value("api_key", key, "the key")


@app.command()
def login(
    ctx: typer.Context,
    with_key: Annotated[bool, typer.Option("--with-key", help="Read the key from stdin; never prompt.")] = False,
    no_verify: Annotated[bool, typer.Option("--no-verify", help="Store the key without checking it.")] = False,
) -> None:
    """Store an API key in the profile (asks for it, hidden; --with-key reads stdin)."""
    from discue_cli.settings import update_profile

    c = context(ctx)
    out = c.output()
    opts = LoginOptions(with_key, no_verify)
    key = read_key(opts, c, out)
    c.flags["api_key"] = key
    c.new_profile = True  # login creates the profile: its absence is no reason to warn
    settings = c.settings()
    path, profile = settings.config_path, settings.profile
    if not opts.no_verify:
        run(ctx, verify_key)
    changes: dict[str, object] = {"api_key": key}
    # The endpoint the key was checked against belongs with it; one from the profile is there already.
    if settings.sources.get("api_endpoint", "").startswith(("--", "DISCUE_")):
        changes["api_endpoint"] = settings.api_endpoint
    update_profile(path, profile, changes)
    stored = " and endpoint" if "api_endpoint" in changes else ""
    out.info(f"Stored the API key{stored} for profile '{profile}' in {path}.")
    if c.environ.get("DISCUE_API_KEY"):
        out.warn(
            "DISCUE_API_KEY is set in this environment and wins over the stored key; "
            "unset it (`unset DISCUE_API_KEY`) to use the profile"
        )


def source_of(settings, key: str) -> str:
    """Where a setting came from, as `auth status` shows it."""
    return settings.sources.get(key, "default" if key == "api_endpoint" else "not set")


async def status_run(c: Context, client, out: Output) -> None:
    from discue_cli.api import call
    from discue_cli.api.generations import tracker
    from discue_cli.errors import AuthError
    from discue_cli.redaction import redact, redact_url

    settings = c.settings()
    if settings.local:
        shown = [("profile", settings.profile), ("endpoint", "local (embedded)"), ("api_key", "not needed")]
    else:
        shown = [
            ("profile", settings.profile),
            ("endpoint", redact_url(settings.api_endpoint)),
            ("endpoint_source", source_of(settings, "api_endpoint")),
            ("api_key", redact(settings.api_key)),
            ("api_key_source", source_of(settings, "api_key")),
        ]
    shown.append(("config", str(settings.config_path)))
    try:
        # also what the generation is, under `auto`: judged afresh, whatever was remembered
        tracker(client).reconsider(await call(client, "GET", "/queues"))
    except DiscueError as exc:
        out.pairs([*shown, ("api_version", generation_line(client)), ("status", f"failing: {exc.title}")])
        source = settings.sources.get("api_key", "")
        if isinstance(exc, AuthError) and source == "DISCUE_API_KEY":
            exc.hint = "the key comes from DISCUE_API_KEY, which wins over any profile: fix or unset it"
        elif isinstance(exc, AuthError) and source == "--api-key":
            exc.hint = "the key comes from --api-key, which wins over any profile: check it"
        raise
    out.pairs([*shown, ("api_version", generation_line(client)), ("status", "ok")])


def generation_line(client) -> str:
    """The API generation in use and how it was found."""
    from discue_cli.api.generations import tracker

    state = tracker(client)
    if state.known is None:
        return "auto: not known yet (writes send `name` until a reply tells)"
    return f"{state.known} ({state.how})"


@app.command()
def status(ctx: typer.Context) -> None:
    """Show the profile, endpoint and (redacted) key with where each came from, and check the key."""
    run(ctx, status_run, context(ctx))


def logout_run(_opts, c: Context, out: Output) -> None:
    from discue_cli.settings import profile_table, update_profile

    path, data, profile = c.config()
    if "api_key" not in profile_table(data, profile):
        out.info(f"No API key stored for profile '{profile}'.")
        return
    update_profile(path, profile, {"api_key": None})
    out.info(f"Removed the API key of profile '{profile}' from {path}.")
    if c.environ.get("DISCUE_API_KEY"):
        out.warn("DISCUE_API_KEY is still set in this environment, and commands keep using it")


@app.command()
def logout(ctx: typer.Context) -> None:
    """Remove the stored API key from the profile (an emptied profile goes too)."""
    run_local(ctx, logout_run)
