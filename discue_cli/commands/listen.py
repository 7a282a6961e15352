"""discue listen QUEUE: a temporary listener that prints (and forwards) each delivery, removed on Ctrl-C."""

from __future__ import annotations

import signal
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from discue_cli.commands._common import QueueArg, check_url, context, run
from discue_cli.errors import ApiError, DiscueError, NotFoundError, SilentExit, UsageError
from discue_cli.output import Output, OutputFormat

if TYPE_CHECKING:
    from discue_cli.listen.receiver import Forwarder
    from discue_cli.listen.state import Records

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# The local discue gives a delivery 5 s (`emulator serve --delivery-timeout`): a forward must end
# before that, or the server retries while the first attempt still waits on the app.
FORWARD_TIMEOUT = 4.0
# While a delivery this run did not acknowledge is unsettled, the listener is read this often to
# learn whether the server gave up on it (its `messages.missed`); otherwise it is never polled.
GAVE_UP_POLL = 2.0


@dataclass
class ListenOptions:
    queue: str
    name: str
    forward_to: str | None = None
    host: str = "127.0.0.1"
    port: int = 0
    public_url: str | None = None
    as_json: bool = False
    local: bool = False
    forward_timeout: float = FORWARD_TIMEOUT


def default_name() -> str:
    """`discue-listen-<hostname>-<pid>`: the pid keeps two runs on one machine apart; the name stays
    within the characters and the 64-character limit every API generation accepts."""
    import os
    import re
    import socket

    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:40] or "host"
    return f"discue-listen-{host}-{os.getpid()}"


class GaveUp(Exception):
    """A second signal cut short what the first one was waiting for."""


class Stop:
    """The first SIGINT/SIGTERM/SIGHUP asks for a clean stop; a second one gives up what is in flight
    (adding or removing the listener), since the person clearly wants out now."""

    def __init__(self) -> None:
        import asyncio

        self.requested = asyncio.Event()
        self.signal: int | None = None
        self.busy: asyncio.Future | None = None
        self.failure: DiscueError | None = None
        self.loop = asyncio.get_running_loop()

    @property
    def exit_code(self) -> int:
        return 143 if self.signal == signal.SIGTERM else 130

    def install(self) -> None:
        for sig in STOP_SIGNALS:
            self.loop.add_signal_handler(sig, self.on_signal, sig)

    def uninstall(self) -> None:
        for sig in STOP_SIGNALS:
            self.loop.remove_signal_handler(sig)

    def on_signal(self, sig: int) -> None:
        if not self.requested.is_set():
            self.signal = sig
            self.requested.set()
        elif self.busy is not None:
            self.busy.cancel()

    def fail(self, failure: DiscueError | None) -> None:
        self.failure = self.failure or failure
        self.requested.set()

    async def guarded(self, work: Awaitable[Any]) -> Any:
        """`work`'s result; GaveUp when a second signal cancelled it."""
        import asyncio

        self.busy = asyncio.ensure_future(work)
        try:
            return await self.busy
        except asyncio.CancelledError:
            if self.busy.cancelled() and self.requested.is_set():
                raise GaveUp() from None
            raise
        finally:
            self.busy = None


def parse_delivery(raw: bytes) -> dict[str, Any]:
    """The delivery's JSON object; anything else kept whole under `_raw`, so it is still shown."""
    import json

    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        body = None
    return body if isinstance(body, dict) else {"_raw": raw.decode("utf-8", "replace")}


class Unsettled:
    """Deliveries this run did not acknowledge (or saw again): whether the server later gave up on them.

    The API shows it in the listener's `messages.missed` (every generation documents it); a reply
    without it leaves the question open, and nothing is said."""

    def __init__(self) -> None:
        import asyncio

        self.attempts: dict[str, int] = {}  # message id -> the last attempt seen here
        self.answers: dict[str, int] = {}  # message id -> the status we answered it with
        self.reported: set[str] = set()
        self.changed = asyncio.Event()

    def saw(self, body: dict[str, Any], status: int) -> None:
        message_id = body.get("message_id")
        if not isinstance(message_id, str):
            return
        attempt = body.get("attempt")
        attempt = attempt if isinstance(attempt, int) else 1
        if 200 <= status < 300 and attempt <= 1:
            return
        if 200 <= status < 300:
            # acknowledged now, after earlier attempts failed: settled
            self.attempts.pop(message_id, None)
            self.answers.pop(message_id, None)
            return
        self.attempts[message_id] = attempt
        self.answers[message_id] = status
        self.changed.set()

    def gave_up(self, listener: dict[str, Any]) -> list[str]:
        """Lines for the messages the listener's figures show as missed, each said once."""
        figures = listener.get("messages")
        missed = figures.get("missed") if isinstance(figures, dict) else None
        if not isinstance(missed, list):
            return []
        lines = []
        for message_id in missed:
            if not isinstance(message_id, str) or message_id not in self.attempts or message_id in self.reported:
                continue
            self.reported.add(message_id)
            attempt, status = self.attempts.pop(message_id), self.answers.pop(message_id)
            lines.append(
                f"the server gave up on message {message_id} after attempt {attempt} (answered here: {status})"
            )
        return lines


async def watch_gave_up(client: Any, out: Output, queue_id: str, listener_id: str, unsettled: Unsettled) -> None:
    """Say when the server gives up on a delivery: poll the listener while some delivery is unsettled."""
    import asyncio

    from discue_cli.api import listeners as api
    from discue_cli.output.formats import escape_controls

    while True:
        if not unsettled.attempts:
            unsettled.changed.clear()
            await unsettled.changed.wait()
        await asyncio.sleep(GAVE_UP_POLL)
        try:
            reply = await api.get_listener(client, queue_id, listener_id)
        except DiscueError:
            continue  # the listener's figures are a courtesy: a failed read is tried again
        for line in unsettled.gave_up(reply.resources[0] if reply.resources else {}):
            out.warn(escape_controls(line))


def delivery_handler(
    opts: ListenOptions, out: Output, forwarder: Forwarder | None, stop: Stop, unsettled: Unsettled | None = None
):
    """Print each delivery once, after forwarding it when asked; answer with the app's status."""
    from datetime import datetime

    from discue_cli.listen.receiver import Answer
    from discue_cli.output import silence_stdout
    from discue_cli.output.formats import delivery_line, json_for_terminal

    terminal = out.stdout_tty and not opts.as_json
    # --json on a terminal: the same JSON, with the characters a terminal acts on as \u escapes
    escaped = json_for_terminal if out.stdout_tty and opts.as_json else str

    async def on_delivery(raw: bytes, headers: list[tuple[str, str]]) -> Answer:
        body = parse_delivery(raw)
        answer, forward = Answer(200), None
        if forwarder is not None:
            answer, error = await forwarder.forward(raw, headers)
            forward = {"status": answer.status, **({"error": error} if error else {})}
        try:
            out.line(escaped(delivery_line(body, forward, terminal=terminal, when=f"{datetime.now():%H:%M:%S}")))
            out.flush()
        except OSError as exc:
            # Not acknowledged: a delivery nobody saw must come again (to a listener that is going away).
            if isinstance(exc, BrokenPipeError):
                silence_stdout()  # the reader stopped (`| head -1`): stop cleanly
                stop.fail(None)
            else:
                stop.fail(DiscueError(f"cannot write to stdout: {exc.strerror or exc}"))
            return Answer(503)
        if unsettled is not None:
            unsettled.saw(body, answer.status)
        return answer

    return on_delivery


async def listen_run(opts: ListenOptions, client: Any, out: Output) -> None:
    from discue_cli.api.resolve import resolve_queue_id
    from discue_cli.emulator.server import bind
    from discue_cli.listen.receiver import Forwarder, Server, create_app, new_secret, url_host
    from discue_cli.listen.state import Records

    queue_id = await resolve_queue_id(client, opts.queue)
    try:
        sock = bind(opts.host, opts.port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {opts.host}:{opts.port}: {exc.strerror or exc}") from None
    address = f"http://{url_host(opts.host)}:{sock.getsockname()[1]}"
    stop = Stop()
    secret = new_secret()
    unsettled = Unsettled()
    forwarder = Forwarder(opts.forward_to, opts.forward_timeout) if opts.forward_to else None
    server = Server(create_app(delivery_handler(opts, out, forwarder, stop, unsettled), secret), sock)
    records = Records(client.base_url)
    stop.install()
    try:
        await server.start()
        await remove_left_behind(client, out, stop, records, queue_id)
        await attend(opts, client, out, stop, queue_id, address, Run(secret, records, forwarder, unsettled))
    finally:
        # The receiver outlives the listener: deliveries that come while it is removed still get answers.
        await server.stop()
        if forwarder is not None:
            await forwarder.aclose()
        sock.close()
        stop.uninstall()
    if stop.failure is not None:
        raise stop.failure


@dataclass
class Run:
    """What one run shares between its receiver and its listener's life."""

    secret: str
    records: Records
    forwarder: Forwarder | None
    unsettled: Unsettled


async def remove_left_behind(client: Any, out: Output, stop: Stop, records: Records, queue_id: str) -> None:
    """Remove the listeners earlier runs on this machine added to this queue and could not remove (killed)."""
    from discue_cli.api import listeners as api
    from discue_cli.output.formats import escape_controls

    for record in records.left_behind(queue_id):
        if stop.requested.is_set():
            return
        name, listener_id = escape_controls(record["name"]), escape_controls(record["listener_id"])
        try:
            await stop.guarded(api.delete_listener(client, queue_id, record["listener_id"]))
        except GaveUp:
            return
        except NotFoundError:
            records.drop(record["listener_id"])  # removed by hand since: nothing to say
            continue
        except DiscueError as exc:
            left = f"listener {name} ({listener_id}), left by an earlier `discue listen`"
            out.warn(f"could not remove {left}: {exc.title}")
            continue
        records.drop(record["listener_id"])
        out.info(
            f"Removed listener {name} ({listener_id}), left behind by an earlier `discue listen` "
            f"(pid {record['pid']}) that ended without removing it."
        )


async def attend(
    opts: ListenOptions, client: Any, out: Output, stop: Stop, queue_id: str, address: str, run: Run
) -> None:
    """Add the listener (its URLs on the receiver's address, or on --public-url), wait for a signal, remove it."""
    import asyncio
    import contextlib

    from discue_cli.api import listeners as api

    base = (opts.public_url or address).rstrip("/") + "/" + run.secret

    if stop.requested.is_set():
        return  # stopped while the receiver started: nothing to add, nothing to remove
    try:
        reply = await stop.guarded(api.add_listener(client, queue_id, opts.name, f"{base}/notify", f"{base}/live"))
    except GaveUp:
        out.warn(f"stopped before the server confirmed listener {opts.name}; it may exist all the same")
        out.info(f"Check with: discue listeners list {queue_id}")
        raise SilentExit(stop.exit_code) from None
    if not reply.ids:
        raise ApiError("unexpected reply: the added listener has no id", hint="check `discue listeners list`")
    listener_id = reply.ids[0]
    run.records.add(queue_id, listener_id, opts.name)
    announce(opts, out, address, listener_id)
    watcher = asyncio.ensure_future(watch_gave_up(client, out, queue_id, listener_id, run.unsettled))
    try:
        await stop.requested.wait()
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    if run.forwarder is not None:
        run.forwarder.cancel_all()  # a forward target that never answers must not hold the stop
    try:
        if await stop.guarded(remove(client, out, queue_id, listener_id, opts.name)):
            run.records.drop(listener_id)
    except GaveUp:
        out.warn(f"gave up removing listener {opts.name} ({listener_id})")
        out.info(f"Delete it by hand: discue listeners delete {queue_id} {listener_id} --yes")
        raise SilentExit(stop.exit_code) from None


def announce(opts: ListenOptions, out: Output, address: str, listener_id: str) -> None:
    out.info(f"Listening on {address} for queue {opts.queue} (listener {opts.name}, {listener_id})")
    if opts.public_url:
        out.info(f"The server reaches it as {opts.public_url}")
    if opts.forward_to:
        out.info(f"Forwarding each delivery to {opts.forward_to}")
    if opts.local:
        out.info("Note: the local discue delivers only while `discue emulator serve` runs on its database")
    out.info("Ready. Ctrl-C to stop and remove the listener.")


async def remove(client: Any, out: Output, queue_id: str, listener_id: str, name: str) -> bool:
    """Delete the listener this run added; when that fails, say how to do it by hand (still exit 0).
    Whether it is gone."""
    from discue_cli.api import listeners as api

    try:
        await api.delete_listener(client, queue_id, listener_id)
    except NotFoundError:
        out.info(f"Listener {name} ({listener_id}) was already gone.")
    except DiscueError as exc:
        out.warn(f"could not remove listener {name} ({listener_id}): {exc.title}")
        out.info(f"Delete it by hand: discue listeners delete {queue_id} {listener_id} --yes")
        return False
    else:
        out.info(f"Removed listener {name} ({listener_id}).")
    return True


def check_public_url(value: str | None) -> None:
    from urllib.parse import urlsplit

    check_url(value, "--public-url")
    if value is not None and (urlsplit(value).query or urlsplit(value).fragment):
        raise UsageError(f"--public-url: '{value}' must not carry a query or a fragment")


def register(root: typer.Typer) -> None:
    @root.command("listen")
    def listen(
        ctx: typer.Context,
        queue: QueueArg,
        forward_to: Annotated[
            str | None, typer.Option("--forward-to", metavar="URL", help="POST each delivery to this URL too.")
        ] = None,
        host: Annotated[str, typer.Option("--host", metavar="HOST", help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", metavar="N", min=0, max=65535, help="Port (0: a free one).")] = 0,
        public_url: Annotated[
            str | None,
            typer.Option("--public-url", metavar="URL", help="The receiver's URL as the server reaches it (a tunnel)."),
        ] = None,
        name: Annotated[
            str | None,
            typer.Option("--name", metavar="NAME", help="The listener's name [default: discue-listen-HOST-PID]."),
        ] = None,
        json_: Annotated[bool, typer.Option("--json", help="One JSON line per delivery.")] = False,
        forward_timeout: Annotated[
            float,
            typer.Option(
                "--forward-timeout",
                metavar="S",
                min=0.1,
                max=300,
                help="Seconds the app gets to answer a forward (keep it below the server's delivery timeout).",
            ),
        ] = FORWARD_TIMEOUT,
    ) -> None:
        """Receive a queue's deliveries here: print each one, forward it to your app, remove the listener on exit."""
        check_url(forward_to, "--forward-to")
        check_public_url(public_url)
        opts = ListenOptions(queue, name or default_name(), forward_to, host, port, public_url, json_)
        opts.forward_timeout = forward_timeout
        opts.local = context(ctx).settings().local
        run(ctx, listen_run, opts, OutputFormat(json=json_), loop=True)
