"""The root Typer app: global options -> State, one sub-app per noun."""

import os
import sys
from typing import Annotated

from discue_cli import __version__


def _fast_version() -> bool:
    """`discue --version` answers before typer is even imported: scripts call it a lot."""
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(f"discue {__version__}\n")
        return True
    return False


def build_app():  # noqa: C901 - one registration list
    import typer

    from discue_cli.commands import (
        api_clients,
        api_keys,
        auth,
        completion,
        config,
        emulator,
        listeners,
        messages,
        queues,
        raw,
    )
    from discue_cli.commands._common import State

    app = typer.Typer(
        name="discue",
        help="The command line for discue queues: queues, listeners, messages and API keys.",
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    def show_version(value: bool) -> None:
        if value:
            sys.stdout.write(f"discue {__version__}\n")
            raise typer.Exit()

    @app.callback()
    def root(
        ctx: typer.Context,
        api_key: Annotated[
            str | None,
            typer.Option("--api-key", metavar="KEY", help="API key [env: DISCUE_API_KEY]", show_default=False),
        ] = None,
        api_endpoint: Annotated[
            str | None,
            typer.Option(
                "--api-endpoint",
                metavar="URL",
                help="API base URL [env: DISCUE_API_ENDPOINT; default: https://api.discue.io/v1]",
            ),
        ] = None,
        profile: Annotated[
            str | None,
            typer.Option("--profile", metavar="NAME", help="Config profile [env: DISCUE_PROFILE; default: default]"),
        ] = None,
        local: Annotated[
            bool | None,
            typer.Option("--local", help="Use the embedded local discue [env: DISCUE_LOCAL=1]", show_default=False),
        ] = None,
        timeout: Annotated[
            str | None,
            typer.Option("--timeout", metavar="SECONDS", help="Per-request timeout [env: DISCUE_TIMEOUT; default: 30]"),
        ] = None,
        retries: Annotated[
            str | None,
            typer.Option("--retries", metavar="N", help="Retries on safe failures [env: DISCUE_RETRIES; default: 3]"),
        ] = None,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help="One stderr line per HTTP exchange.")] = False,
        no_color: Annotated[bool, typer.Option("--no-color", help="No color [env: NO_COLOR].")] = False,
        version: Annotated[
            bool | None,
            typer.Option("--version", callback=show_version, is_eager=True, help="Print the version."),
        ] = None,
    ) -> None:
        ctx.obj = State(
            flags={
                "api_key": api_key,
                "api_endpoint": api_endpoint,
                "profile": profile,
                "local": local,
                "timeout": timeout,
                "retries": retries,
                "verbose": verbose,
            },
            no_color=no_color or "NO_COLOR" in os.environ,
        )

    app.add_typer(queues.app, name="queues")
    app.add_typer(listeners.app, name="listeners")
    app.add_typer(messages.app, name="messages")
    app.add_typer(api_keys.app, name="api-keys")
    app.add_typer(api_clients.app, name="api-clients")
    raw.register(app)
    app.add_typer(auth.app, name="auth")
    app.add_typer(config.app, name="config")
    app.add_typer(emulator.app, name="emulator")
    completion.register(app)
    return app


def main() -> None:
    """Console-script entry point."""
    if _fast_version():
        return
    if "_DISCUE_COMPLETE" in os.environ:
        # A shell asking for completions: register typer's shell classes (only then; they cost start-up).
        from typer._completion_classes import completion_init

        completion_init()
    app = build_app()
    app(prog_name="discue")


if __name__ == "__main__":
    main()
