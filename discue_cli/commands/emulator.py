"""discue emulator serve: the local discue over HTTP on loopback."""

from __future__ import annotations

from typing import Annotated

import typer

from discue_cli.commands._common import context
from discue_cli.errors import UsageError

app = typer.Typer(help="Run the local discue as an HTTP server.", no_args_is_help=True)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0: any free port).")] = 8787,
    db: Annotated[
        str | None, typer.Option("--db", metavar="PATH", help="SQLite file [default: the --local database].")
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option("--api-key", metavar="KEY", help="The key clients must send [default: one kept in the database]."),
    ] = None,
    deliver: Annotated[bool, typer.Option("--deliver/--no-deliver", help="Send messages to listeners.")] = True,
    max_attempts: Annotated[
        int, typer.Option("--max-attempts", min=1, help="Delivery attempts before a message is missed.")
    ] = 5,
    retry_base: Annotated[
        float, typer.Option("--retry-base", min=0.0, help="Seconds before the first redelivery; doubles each time.")
    ] = 1.0,
    liveness_interval: Annotated[
        float, typer.Option("--liveness-interval", min=0.1, help="Seconds between liveness probes.")
    ] = 10.0,
    delivery_timeout: Annotated[
        float, typer.Option("--delivery-timeout", min=0.1, help="Seconds a listener has to answer.")
    ] = 5.0,
    delivery_concurrency: Annotated[
        int, typer.Option("--delivery-concurrency", min=1, max=256, help="Deliveries in flight at once.")
    ] = 16,
) -> None:
    """Serve the local discue on loopback and print the environment that points clients at it."""
    from discue_cli.emulator.server import ServeOptions, serve_forever
    from discue_cli.emulator.store import StoreUnavailable
    from discue_cli.settings import local_db_path

    c = context(ctx)
    out = c.output()
    options = ServeOptions(
        host=host,
        port=port,
        db=db or str(local_db_path(c.environ)),
        api_key=api_key,
        deliver=deliver,
        max_attempts=max_attempts,
        retry_base=retry_base,
        liveness_interval=liveness_interval,
        delivery_timeout=delivery_timeout,
        delivery_concurrency=delivery_concurrency,
    )
    try:
        serve_forever(options, announce=out.line, log=out.info, flush=out.flush)
    except StoreUnavailable as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        pass
    out.info("Stopped.")
