"""The root Typer app: global options -> a Context, one sub-app per noun, and the one error boundary."""

import sys
from typing import Annotated

from discue_cli import __version__
from discue_cli.commands import NOUNS  # noun -> its module under discue_cli.commands
from discue_cli.errors import Stopped
from discue_cli.signals import first_stop, ignore_stop_signals, stop_exit_code


def _fast_version() -> bool:
    """`discue --version` answers before typer is even imported: scripts call it a lot."""
    if sys.argv[1:] == ["--version"]:
        from discue_cli.output import version_line

        version_line(f"discue {__version__}")
        return True
    return False


VALUE_OPTIONS = {"--api-key", "--api-endpoint", "--profile", "--timeout", "--retries", "--api-version"}


def invoked_noun(argv: list[str]) -> str | None:
    """The noun an argv names, skipping the global options before it; None when there is none."""
    args = iter(argv)
    for arg in args:
        if arg in VALUE_OPTIONS:
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def report(exc: BaseException, ctx: object) -> int:
    """The one error boundary: what any failure of a command prints, and its exit code."""
    import os

    from discue_cli.context import Context
    from discue_cli.errors import DiscueError, Interrupted, SilentExit

    c = ctx if isinstance(ctx, Context) else Context()
    out = c.output()
    if isinstance(exc, SilentExit):
        return exc.exit_code
    stopped = first_stop() is not None
    if isinstance(exc, (KeyboardInterrupt, Stopped)) or (stopped and not isinstance(exc, Interrupted)):
        # whatever came out of a stop signal raised in the middle of things is that stop
        ignore_stop_signals()
        out.info("Interrupted.")
        return stop_exit_code(exc)
    if isinstance(exc, Interrupted):
        out.info(exc.title)
        return exc.exit_code
    if isinstance(exc, DiscueError):
        out.error(exc)
        return exc.exit_code
    if isinstance(exc, BrokenPipeError):
        from discue_cli.output import silence_stdout

        silence_stdout()  # the reader stopped (`| head`): not an error
        return 0
    if isinstance(exc, OSError) and exc.errno is not None and getattr(exc, "filename", None) is None:
        # Everything read is checked where it is read (a UsageError naming the file); an OSError
        # without a file name reaching here is a write to stdout that failed (a full disk, EIO).
        from discue_cli.output import silence_stdout

        silence_stdout()  # the final flush at exit must not fail again
        out.error(DiscueError(f"cannot write output: {exc.strerror or exc}"))
        return 1
    if os.environ.get("DISCUE_DEBUG") == "1":
        raise exc
    out.error(
        DiscueError(
            f"internal error: {type(exc).__name__}: {exc}", hint="run again with DISCUE_DEBUG=1 for the traceback"
        )
    )
    return 1


def wants_json(args: list[str], stderr_tty: bool = False) -> bool:
    """Whether an error about this command line is one JSON object (options before a `--` only):
    with --json or --pretty; with --jq only off a terminal, for a person typing there reads a line."""
    for arg in args:
        if arg == "--":
            return False
        if arg in ("--json", "--pretty"):
            return True
        if (arg == "--jq" or arg.startswith("--jq=")) and not stderr_tty:
            return True
    return False


def is_usage_error(exc: BaseException) -> bool:
    """Whether typer raised it about the command line (a bad option, a missing argument).

    Told by what typer documents of those errors, an `exit_code` and `format_message()`, not by
    their class: typer carries its own private copy of click, whose classes are not ours to import."""
    from discue_cli.errors import DiscueError

    return (
        not isinstance(exc, DiscueError)
        and hasattr(exc, "exit_code")
        and callable(getattr(exc, "format_message", None))
    )


def report_argument_error(exc: Exception, ctx: object) -> int:
    """A bad argument (click's error) under --json/--pretty/--jq: one JSON object on stderr (docs/exit-codes.md)."""
    from discue_cli.context import Context
    from discue_cli.errors import UsageError
    from discue_cli.output import OutputFormat

    c = ctx if isinstance(ctx, Context) else Context()
    error = UsageError(exc.format_message())  # type: ignore[attr-defined]
    error.exit_code = getattr(exc, "exit_code", 2)
    c.output(OutputFormat(json=True)).error(error)
    return error.exit_code


def build_app(argv: list[str] | None = None, make_context=None):
    """The root app. Given an argv that names a known noun, only that noun is built: the others'
    click trees would cost a third of a one-shot command's run. `make_context(flags)` builds the
    Context (tests pass one with chosen terminal flags and transport)."""
    import importlib

    import typer
    from typer.core import TyperGroup

    from discue_cli.commands._complete import complete_api_version
    from discue_cli.context import Context

    class DiscueGroup(TyperGroup):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            from discue_cli.commands._help import polish

            polish(self)  # examples and UPPERCASE placeholders on the whole tree, once it is built

        def list_commands(self, ctx):
            from discue_cli.commands._help import ordered

            return ordered(list(self.commands))

        def parse_args(self, ctx, args):
            from discue_cli.commands._argv import hoist_globals

            args = hoist_globals(self, list(args))  # global options may follow the verb (docs/settings.md)
            ctx.meta["discue.args"] = list(args)  # for invoke: did the command line ask for JSON?
            return super().parse_args(ctx, args)

        def invoke(self, ctx):
            import gc

            gc.enable()  # main() turned it off for start-up, which is over
            try:
                result = super().invoke(ctx)
                if isinstance(ctx.obj, Context):
                    ctx.obj.output().flush()  # a write that fails (a full disk) fails here, in the boundary
                return result
            except (typer.Exit, typer.Abort):
                raise
            except (Exception, KeyboardInterrupt, Stopped) as exc:
                if is_usage_error(exc):
                    c = ctx.obj if isinstance(ctx.obj, Context) else Context()
                    if not wants_json(ctx.meta.get("discue.args", []), c.streams.stderr_tty):
                        raise  # typer shows it: usage, a hint, the message, exit 2
                    raise typer.Exit(report_argument_error(exc, ctx.obj)) from None
                raise typer.Exit(report(exc, ctx.obj)) from None

    noun = invoked_noun(argv) if argv is not None else None
    wanted = [noun] if noun in NOUNS else list(NOUNS)

    app = typer.Typer(
        cls=DiscueGroup,
        name="discue",
        help="The command line for discue queues: queues, listeners, messages and API keys.",
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
        no_args_is_help=False,  # bare `discue` prints help and exits 0 (see _help.polish), as gh does
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    def show_version(ctx: typer.Context, value: bool) -> None:
        if value:
            Context().output().line(f"discue {__version__}")
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
            typer.Option(
                "--timeout",
                metavar="SECONDS",
                help="Deadline of each API call, retries and their waits included [env: DISCUE_TIMEOUT; default: 30]",
            ),
        ] = None,
        retries: Annotated[
            str | None,
            typer.Option("--retries", metavar="N", help="Retries on safe failures [env: DISCUE_RETRIES; default: 3]"),
        ] = None,
        api_version: Annotated[
            str | None,
            typer.Option(
                "--api-version",
                metavar="GEN",
                help="API generation: 2022-05, 2023-04, 2024-08 or auto [env: DISCUE_API_VERSION; default: auto]",
                autocompletion=complete_api_version,
            ),
        ] = None,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help="One stderr line per HTTP exchange.")] = False,
        no_color: Annotated[bool, typer.Option("--no-color", help="No color [env: NO_COLOR].")] = False,
        version: Annotated[
            bool | None,
            typer.Option("--version", callback=show_version, is_eager=True, help="Print the version."),
        ] = None,
    ) -> None:
        flags = {
            "api_key": api_key,
            "api_endpoint": api_endpoint,
            "profile": profile,
            "local": local,
            "timeout": timeout,
            "retries": retries,
            "api_version": api_version,
            "verbose": verbose,
            "no_color": no_color,
        }
        ctx.obj = make_context(flags) if make_context else Context(flags)

    for name in wanted:
        module = importlib.import_module(f"discue_cli.commands.{NOUNS[name]}")
        if hasattr(module, "register"):
            module.register(app)
        else:
            app.add_typer(module.app, name=name)
    return app


def start() -> None:
    """Answer --version at once, else build the app and run it."""
    if _fast_version():
        return
    import gc

    # Start-up makes tens of thousands of objects that live as long as the process (modules, the
    # click tree): scanning them for cycles is pure cost. Collection is back on once the command runs.
    gc.disable()
    argv = sys.argv[1:]
    app = build_app(argv)
    gc.freeze()  # what start-up made lives as long as the process: no collection needs to scan it again
    # Python's own exit follows (atexit handlers, flushes): ending the process early measured no faster.
    app(prog_name="discue")
