"""discue emulator serve | env: the local discue over HTTP on loopback, and the lines that point clients at it."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from discue_cli.commands._common import context
from discue_cli.errors import DiscueError, NotFoundError, UsageError
from discue_cli.generations import DEFAULT, GENERATIONS
from discue_cli.signals import ignore_stop_signals, restore, sigterm_interrupts

app = typer.Typer(help="Run the local discue as an HTTP server.", no_args_is_help=True)

# Kept here rather than imported: `--help` must not load the emulator (the server module checks them again).
LOG_LEVELS = ("error", "warning", "info", "debug")

DbOption = Annotated[
    str | None, typer.Option("--db", metavar="PATH", help="SQLite file [default: the --local database].")
]


def seconds(flag: str, value: float, low: float, high: float) -> float:
    """A duration option: finite and within [low, high], else a usage error that names the flag."""
    if not (math.isfinite(value) and low <= value <= high):
        raise UsageError(f"{flag} must be a number of seconds from {low:g} to {high:g}, not {value:g}")
    return value


def one_of(flag: str, value: str, accepted: tuple[str, ...]) -> str:
    if value not in accepted:
        raise UsageError(f"{flag} must be one of {', '.join(accepted)}, not {value!r}")
    return value


def database(db: str | None, environ) -> Path:
    """The database to serve: --db, whose directory must exist, else the --local one (created if need be)."""
    from discue_cli.settings import local_db_path

    if not db:
        return local_db_path(environ)
    path = Path(db).expanduser()
    if not path.parent.is_dir():
        raise UsageError(f"directory {path.parent} does not exist (--db {db})")
    return path


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0: any free port).")] = 8787,
    db: DbOption = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            metavar="KEY",
            help="The key clients must send [default: one kept in the database]; here, not the global option.",
        ),
    ] = None,
    api_version: Annotated[
        str,
        typer.Option(
            "--api-version",
            metavar="GEN",
            help=f"API generation to serve: {', '.join(GENERATIONS)}; here, not the global option.",
        ),
    ] = DEFAULT,
    deliver: Annotated[bool, typer.Option("--deliver/--no-deliver", help="Send messages to listeners.")] = True,
    max_attempts: Annotated[
        int, typer.Option("--max-attempts", min=1, max=100, help="Delivery attempts before a message is missed.")
    ] = 5,
    retry_base: Annotated[
        float, typer.Option("--retry-base", help="Seconds before the first redelivery; doubles each time.")
    ] = 1.0,
    liveness_interval: Annotated[
        float, typer.Option("--liveness-interval", help="Seconds between liveness probes.")
    ] = 10.0,
    delivery_timeout: Annotated[
        float, typer.Option("--delivery-timeout", help="Seconds a listener has to answer.")
    ] = 5.0,
    delivery_concurrency: Annotated[
        int, typer.Option("--delivery-concurrency", min=1, max=256, help="Deliveries in flight at once.")
    ] = 16,
    page_size: Annotated[
        int,
        typer.Option(
            "--page-size",
            metavar="N",
            min=0,
            max=100,
            help="Answer listings a page at a time, N items unless ?per_page asks (up to 100), as the API "
            "overview plans (10); 0: whole, as the API answers today.",
        ),
    ] = 0,
    lockout: Annotated[
        bool,
        typer.Option(
            "--lockout/--no-lockout",
            help="Refuse every key (403) from an address that sent 10 invalid keys within 60 s, for 60 s, as "
            "the API overview says the API does; --no-lockout for test suites.",
        ),
    ] = True,
    log_level: Annotated[
        str,
        typer.Option(
            "--log-level",
            metavar="LEVEL",
            help="error, warning (+ missed deliveries), info (+ one line per delivery), debug (+ every attempt).",
        ),
    ] = "info",
) -> None:
    """Serve the local discue on loopback and print the environment that points clients at it."""
    # First of all: from here on, SIGTERM stops us as cleanly as Ctrl-C (uvicorn re-raises it once it has stopped).
    previous_sigterm = sigterm_interrupts()
    c = context(ctx)
    out = c.output()
    from discue_cli.api.generations import parse_generation
    from discue_cli.emulator.server import ServeOptions, serve_forever
    from discue_cli.emulator.store import StoreUnavailable
    from discue_cli.settings import parse_value  # the key must be one the CLI itself can send

    try:
        options = ServeOptions(
            host=host,
            port=port,
            db=str(database(db, c.environ)),
            api_key=None if api_key is None else parse_value("api_key", api_key, "--api-key"),
            deliver=deliver,
            max_attempts=max_attempts,
            retry_base=seconds("--retry-base", retry_base, 0.001, 3600),
            liveness_interval=seconds("--liveness-interval", liveness_interval, 0.1, 86400),
            delivery_timeout=seconds("--delivery-timeout", delivery_timeout, 0.1, 300),
            delivery_concurrency=delivery_concurrency,
            log_level=one_of("--log-level", log_level.lower(), LOG_LEVELS),
            api_version=parse_generation(api_version, "--api-version", auto=False),
            page_size=page_size or None,
            lockout=lockout,
        )
        serve_forever(options, announce=out.line, log=out.info, flush=out.flush)
    except (DiscueError, StoreUnavailable, OSError) as exc:
        restore(previous_sigterm)
        if isinstance(exc, StoreUnavailable):
            raise UsageError(str(exc)) from None
        if isinstance(exc, OSError):
            raise UsageError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
        raise
    except KeyboardInterrupt:
        ignore_stop_signals()  # one stop is enough: nothing may cut this one short
    out.info("Stopped.")


@app.command()
def env(ctx: typer.Context, db: DbOption = None) -> None:
    """Print the export lines of the last `emulator serve` on the database again."""
    c = context(ctx)
    out = c.output()
    from discue_cli.emulator.server import served_by
    from discue_cli.emulator.store import Store, StoreUnavailable

    path = Path(db).expanduser() if db else database(None, c.environ)
    try:
        lines = Store.last_serve_exports(path)
    except FileNotFoundError:
        raise NotFoundError(f"no database at {path}, so no `emulator serve` ran on it") from None
    except StoreUnavailable as exc:
        raise UsageError(str(exc)) from None
    if not lines:
        raise NotFoundError(f"no `emulator serve` ran on {path} yet")
    for line in lines:
        out.line(line)
    if served_by(path) is None:
        out.info(f"Note: no `emulator serve` runs on {path} now; these lines are from its last run.")
