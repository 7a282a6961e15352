"""`emulator serve`: the app under uvicorn, with the broadcaster running beside it."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from discue_cli.emulator.app import create_app
from discue_cli.emulator.store import Store

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8787
    db: str = "local.sqlite3"
    api_key: str | None = None
    deliver: bool = True
    max_attempts: int = 5
    retry_base: float = 1.0
    liveness_interval: float = 10.0
    delivery_timeout: float = 5.0
    delivery_concurrency: int = 16


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, bound before we announce the address (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this. Without it, a reply written in two parts waits for the
    # client's delayed ACK: 40 ms a request on loopback (uvicorn sets it only on sockets it binds).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve_forever(
    options: ServeOptions,
    announce: Callable[[str], None],
    log: Callable[[str], None],
    flush: Callable[[], None] = lambda: None,
) -> None:
    """Serve until Ctrl-C or SIGTERM; every acknowledged write is already committed."""
    import uvicorn

    from discue_cli.emulator.delivery import Broadcaster

    store = Store(options.db)
    root_key = store.root_key(options.api_key)
    broadcaster = Broadcaster(store, options, log) if options.deliver else None
    sock = bind(options.host, options.port)
    port = sock.getsockname()[1]
    shown_host = f"[{options.host}]" if ":" in options.host else options.host

    @asynccontextmanager
    async def lifespan(app: Any):
        if broadcaster:
            await broadcaster.start()
        announce(f"export DISCUE_API_ENDPOINT=http://{shown_host}:{port}/v1")
        announce(f"export DISCUE_API_KEY={root_key}")
        flush()
        if options.host not in LOOPBACK:
            log(f"Warning: listening on {options.host}, reachable from other machines")
        log(f"local discue on http://{shown_host}:{port}/v1, data in {options.db}; Ctrl-C to stop")
        yield
        if broadcaster:
            await broadcaster.stop()

    app = create_app(store, require_key=True, api_key=root_key, lifespan=lifespan, generation="2022-05")
    if broadcaster:
        app.state.on_message = broadcaster.wake
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    # uvicorn shuts down gracefully on SIGTERM, then raises it again under the handler it found;
    # with the default one that kills the process (exit 143). Ours makes it a stop like Ctrl-C.
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        server.run(sockets=[sock])
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
        store.close()


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
