"""`emulator serve`: the app under uvicorn, with the broadcaster running beside it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from discue_cli.emulator.app import create_app
from discue_cli.emulator.console import Log, routed_logs
from discue_cli.emulator.files import make_private_dirs
from discue_cli.emulator.lockout import Lockout
from discue_cli.emulator.store import Store, StoreUnavailable
from discue_cli.errors import UsageError
from discue_cli.generations import DEFAULT as DEFAULT_GENERATION

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
# Seconds uvicorn waits for open HTTP connections at a stop; deliveries in flight finish meanwhile.
HTTP_GRACE = 3
# The most a request head (request line and headers) may take; past it, 400 and the connection closed.
MAX_HEAD = 64 * 1024


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
    log_level: str = "info"
    api_version: str = DEFAULT_GENERATION
    page_size: int | None = None  # listings in pages (emulator/pages.py); None: whole, as the API today
    lockout: bool = True  # repeated invalid keys lock the client address out (emulator/lockout.py)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, bound before we announce the address (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this (Linux, BSDs). Without it, a reply's head and body, which
    # uvicorn writes apart, wait for the client's delayed ACK: 40 ms a request on loopback.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@contextlib.contextmanager
def serving(db: Path) -> Iterator[None]:
    """One `emulator serve` per database: two would deliver every message twice.

    A lock file beside the database, flock'ed and holding our pid. The kernel drops the lock when
    its process dies, so a file left by a killed server does not block. `--local` runs take no lock.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no flock; serve unguarded
        yield
        return
    lock_path = db.with_name(db.name + ".lock")
    while True:
        try:
            make_private_dirs(db.parent)  # as Store would (it opens the database after this lock)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:  # a missing folder, a full disk: the database's trouble, not the address's
            reason = exc.strerror or exc
            raise StoreUnavailable(f"cannot use {db} as the local discue's database: {reason} ({lock_path})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip()
            os.close(fd)
            by = f"process {holder}" if holder.isdigit() else "another process"
            raise UsageError(f"database {db} is served by {by} (emulator serve); stop it or use another --db") from None
        with contextlib.suppress(FileNotFoundError):
            # The previous holder unlinks the file as it lets go: make sure we locked the one in place.
            if os.fstat(fd).st_ino == os.stat(lock_path).st_ino:
                break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_path)
        os.close(fd)


def served_by(db: Path) -> int | None:
    """The pid of the `emulator serve` holding `db` now, or None (0 when it holds it but the pid is unreadable)."""
    try:
        import fcntl
    except ImportError:
        return None
    try:
        fd = os.open(db.with_name(db.name + ".lock"), os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip()
        return int(holder) if holder.isdigit() else 0
    finally:
        os.close(fd)
    return None


def build_app(store: Store, options: ServeOptions, root_key: str, lifespan: Any) -> Any:
    """The app serving `options.api_version`."""
    return create_app(
        store,
        require_key=True,
        api_key=root_key,
        lifespan=lifespan,
        generation=options.api_version,
        page_size=options.page_size,
        lockout=Lockout() if options.lockout else None,
    )


def answer_503_when_cut_off(app: Any) -> Any:
    """ASGI wrapper: a request still running when uvicorn's grace period ends gets a 503 reply
    (it is cancelled then), instead of a traceback on the console."""

    async def wrapped(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        started = False

        async def tracking_send(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await app(scope, receive, tracking_send)
        except asyncio.CancelledError:
            if not started:
                body = b'{"title":"Service Unavailable","status":503}'
                headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": 503, "headers": headers})
                await send({"type": "http.response.body", "body": body})

    return wrapped


def uvicorn_config(app: Any, **settings: Any) -> Any:
    """How `emulator serve` runs uvicorn (the tests' servers too): its HTTP/1.1 parser is h11, whose
    `h11_max_incomplete_event_size` caps a request's head. httptools (uvicorn's "auto" choice) has no
    such cap: it read a 400 MiB header whole, at a cost growing with its square (294 s of CPU, 841 MiB).
    h11 is pure Python and slower; bench/run.py measures what it costs."""
    import uvicorn

    defaults: dict[str, Any] = {
        "http": "h11",
        "h11_max_incomplete_event_size": MAX_HEAD,
        "log_config": None,  # its lines go through routed_logs, in our format
        "log_level": "warning",  # uvicorn's info lines (started, shutting down) would repeat ours
        "access_log": False,
        "timeout_graceful_shutdown": HTTP_GRACE,
        # The client's address is the socket's: an X-Forwarded-For from loopback (uvicorn trusts it by
        # default) would let any request choose the address the invalid-key lock-out counts against.
        "proxy_headers": False,
    }
    return uvicorn.Config(app, **{**defaults, **settings})


def ignore_stop_signals() -> None:
    """Stopping already: a second Ctrl-C must not cut the clean-up short."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)


def serve_forever(
    options: ServeOptions,
    announce: Callable[[str], None],
    log: Callable[[str], None],
    flush: Callable[[], None] = lambda: None,
) -> None:
    """Serve until Ctrl-C or SIGTERM (which end in KeyboardInterrupt); every acknowledged write is committed.

    The caller turns SIGTERM into KeyboardInterrupt before calling, so that a stop while starting is clean too.
    """
    import uvicorn

    from discue_cli.emulator.delivery import Broadcaster

    console = Log(log, options.log_level)
    # The lock first: of two serves started at once, the second must hear that the first serves the
    # database, not trip over the first's opening of it ("database is locked").
    with serving(Path(options.db)):
        store = Store(options.db)
        try:
            root_key = store.root_key(options.api_key)
            broadcaster = Broadcaster(store, options, console) if options.deliver else None
            sock = bind(options.host, options.port)
            port = sock.getsockname()[1]
            shown_host = f"[{options.host}]" if ":" in options.host else options.host
            # quoted for the shell: these lines are made to be eval'ed
            endpoint = shlex.quote(f"http://{shown_host}:{port}/v1")
            exports = [f"export DISCUE_API_ENDPOINT={endpoint}", f"export DISCUE_API_KEY={shlex.quote(root_key)}"]
            # A comment, not an export: DISCUE_API_VERSION would pin every later command to it.
            exports.append(f"# API generation: {options.api_version}")
            store.remember_serve_exports(exports)

            @asynccontextmanager
            async def lifespan(app: Any):
                if broadcaster:
                    await broadcaster.start()
                for line in exports:
                    announce(line)
                flush()
                if options.host not in LOOPBACK:
                    console.warning(f"Warning: listening on {options.host}, reachable from other machines")
                console.info(f"local discue on http://{shown_host}:{port}/v1, data in {options.db}; Ctrl-C to stop")
                yield
                if broadcaster:
                    await broadcaster.stop()

            class Server(uvicorn.Server):
                def handle_exit(self, sig: int, frame: Any) -> None:
                    super().handle_exit(sig, frame)
                    if broadcaster:  # no delivery starts after the signal, even while HTTP drains
                        broadcaster.halt()

            app = build_app(store, options, root_key, lifespan)
            app.state.messages.finish_stored = True  # see MessageWriter: a cut-off request is answered 503
            if broadcaster:
                app.state.on_message = broadcaster.wake
            config = uvicorn_config(answer_503_when_cut_off(app), lifespan="on")
            try:
                with routed_logs(console):
                    Server(config).run(sockets=[sock])
            finally:
                ignore_stop_signals()
                sock.close()
        finally:
            store.close()
