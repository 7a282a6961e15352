"""Bulk sends: one message per line from a source, sent by concurrent senders, each on its own connection.

Every line ends as exactly one of three kinds (docs/bulk-sends.md), said by
`LineResult.kind`: SENT (acknowledged by a 2xx), NOT_SENT (surely not stored: it never left, or
the API refused it with a status that stores nothing) and UNKNOWN (it may have reached the server:
the reply timed out, was cut off or broke HTTP, a 5xx other than 503, or a stop caught it in flight).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from discue_cli.api import Reply
from discue_cli.api.client import Client
from discue_cli.api.limiter import CAP, INITIAL, Concurrency, Pace
from discue_cli.api.messages import add_message
from discue_cli.errors import DiscueError, Interrupted, NoResponseError, OutcomeUnknownError

SENT, NOT_SENT, UNKNOWN = "sent", "not sent", "unknown"
# Statuses after which the API surely stored nothing: a refusal (4xx), a redirect (not followed), and
# 503 "try later"; any other 5xx may come after the message was stored (a gateway that timed out).
STORES_NOTHING_5XX = {503}
# How far past the oldest line still in flight a sender may read: replies held for in-order output,
# and lines read ahead, stay within this many (memory flat in the lines and in a stalled line's time).
WINDOW_PER_SENDER = 4
MIN_WINDOW = 256


@dataclass
class LineResult:
    """What became of one input line; `index` counts non-empty lines from 0, `lineno` from 1.

    `line` is the text sent; `raw` the bytes as read (a file for a line too long to hold), which
    is what the failed-lines file gets."""

    index: int
    lineno: int
    line: str
    raw: bytes | BinaryIO = b""
    reply: Reply | None = None
    error: DiscueError | None = None

    @property
    def kind(self) -> str:
        return kind_of(self.error)


class StoppedUnsent(Interrupted):
    """A stop caught the line in flight before any of its request had left (connecting, or waiting
    to retry a connection): surely not stored."""


def kind_of(error: DiscueError | None) -> str:
    """SENT, NOT_SENT or UNKNOWN for a line that ended with `error` (None: acknowledged)."""
    if error is None:
        return SENT
    if isinstance(error, StoppedUnsent):
        return NOT_SENT
    if isinstance(error, (OutcomeUnknownError, Interrupted)):
        return UNKNOWN  # Interrupted here: a stop caught the line in flight
    status = error.status
    if status is not None and 200 <= status < 300:
        return SENT  # acknowledged; only its body could not be read (not JSON, too large)
    if status is not None and status >= 500 and status not in STORES_NOTHING_5XX:
        return UNKNOWN
    return NOT_SENT


class Source(Protocol):
    async def next(self) -> LineResult | None: ...


YIELD_EVERY = 64


class StopBatch(Exception):
    """Raised by a sender (or by `on_result`) to stop the batch as an endpoint that stopped answering
    does: the other senders are cancelled, the lines in flight reported, and `error` says why."""

    def __init__(self, error: DiscueError):
        self.error = error


def give_up_after(concurrency: int) -> int:
    """Lines in a row that got no response at all (after their retries) before the batch stops:
    one full round of senders, so a dead endpoint costs one round of retries, not one per line."""
    return max(3, concurrency)


class Window:
    """Lines taken, and the oldest not yet done: a sender waits while `size` lines stand between them."""

    def __init__(self, size: int):
        self.size = size
        self.taken = 0
        self.low = 0  # every line below it is done
        self.done: set[int] = set()
        self.moved = asyncio.Event()

    async def room(self) -> None:
        while self.taken - self.low >= self.size:
            self.moved.clear()
            await self.moved.wait()

    def finish(self, index: int) -> None:
        self.done.add(index)
        if index == self.low:
            while self.low in self.done:
                self.done.remove(self.low)
                self.low += 1
            self.moved.set()


class Slots:
    """The limit on requests in flight, as senders see it: a sender takes a slot before it takes a
    line, and gives it back when the line is done; `sending` counts the lines whose request is out."""

    def __init__(self, limiter: Concurrency):
        self.limiter = limiter
        self.taken = 0
        self.sending = 0
        self.freed = asyncio.Event()

    async def take(self) -> None:
        while self.taken >= self.limiter.limit:
            self.freed.clear()
            await self.freed.wait()
        self.taken += 1

    def give_back(self) -> None:
        self.taken -= 1
        self.freed.set()


@dataclass
class Pacing:
    """What a batch's limiter did: for the summary, the progress bar and -v."""

    limiter: Concurrency
    pace: Pace
    slots: Slots

    @property
    def in_flight(self) -> int:
        return self.slots.sending


async def send_batch(
    client: Client,
    queue_id: str,
    source: Source,
    concurrency: int | None,
    on_result: Callable[[LineResult], None],
    *,
    rate: float | None = None,
    say: Callable[[str], None] | None = None,
    pacing: Callable[[Pacing], None] | None = None,
) -> DiscueError | None:
    """Send every line `source` gives as a message and report each line once.

    `concurrency` pins the number of requests in flight; None lets it adapt (api/limiter.py), up to
    CAP. `rate` caps requests per second; `say` hears each change of the limit or the pace (-v);
    `pacing` is handed the limiter's state once, for the progress bar and the summary.

    Returns None when the source ran out; else why it stopped early: Interrupted (a signal
    cancelled the task), the NoResponseError of an endpoint that stopped answering, or the error
    of a StopBatch that `on_result` raised. Lines in flight then are reported with an Interrupted
    error: they may or may not have arrived (UNKNOWN)."""
    if concurrency is None and client.sender() is client:
        concurrency = INITIAL  # no connections of its own (the local discue in process): nothing to adapt
    limiter = Concurrency(pinned=concurrency)
    pace = Pace(rate=rate)
    slots = Slots(limiter)
    if pacing is not None:
        pacing(Pacing(limiter, pace, slots))
    in_flight: dict[int, tuple[LineResult, Client]] = {}
    no_response = 0  # lines in a row that got no response
    give_up = give_up_after(concurrency or limiter.limit)
    window = Window(max(MIN_WINDOW, WINDOW_PER_SENDER * (concurrency or CAP)))
    senders: list[Client] = []
    tasks: list[asyncio.Task[None]] = []
    stopping = False

    async def gate() -> float:
        """Hold a request until the pace lets it go; the seconds it was held."""
        held = 0.0
        while (wait := pace.wait()) > 0:
            await asyncio.sleep(wait)
            held += wait
        return held

    def on_reply(status: int, headers: Any, seconds: float) -> None:
        why = pace.reply(status, headers, slots.sending)
        if why and say is not None:
            say(f"pace: {why}")
        change = limiter.sample(seconds, status, slots.sending)
        if change is None:
            return
        if say is not None:
            say(f"in flight: {change.old} -> {change.new} ({change.reason})")
        slots.freed.set()
        grow()

    def grow() -> None:
        """Senders enough for the limit: each has a connection of its own, opened when first used."""
        while len(tasks) < limiter.limit and not stopping:
            sender = client.sender()
            sender.gate, sender.on_reply = gate, on_reply
            senders.append(sender)
            tasks.append(asyncio.create_task(send(sender)))

    async def send(sender: Client) -> None:
        nonlocal no_response
        while True:
            await window.room()
            await slots.take()
            try:
                item = await source.next()
                if item is None:
                    return
                window.taken = max(window.taken, item.index + 1)
                if item.error is None:
                    in_flight[item.index] = item, sender
                    slots.sending += 1
                    try:
                        item.reply = await add_message(sender, queue_id, item.line)
                        no_response = 0
                    except NoResponseError as exc:
                        item.error = exc
                        no_response += 1
                    except DiscueError as exc:
                        item.error = exc
                        no_response = 0
                    finally:
                        slots.sending -= 1
                    del in_flight[item.index]
            finally:
                slots.give_back()
            window.finish(item.index)
            on_result(item)
            if no_response >= give_up:
                raise StopBatch(item.error)
            if item.index % YIELD_EVERY == 0:
                # An in-process transport (--local) reading a file never suspends: without this the
                # loop would not see a signal until the whole batch was sent.
                await asyncio.sleep(0)

    grow()
    try:
        try:
            while True:  # the senders grow in number while they run: wait for all, however many
                running = list(tasks)
                await asyncio.gather(*running)
                if len(tasks) == len(running):
                    return None
        except asyncio.CancelledError:
            stop: DiscueError = Interrupted()
        except StopBatch as exc:
            stop = exc.error
        except BaseException:
            stopping = True
            for task in tasks:
                task.cancel()
            raise
        stopping = True
        for task in tasks:
            task.cancel()
        await through_a_signal(asyncio.wait(tasks))
        for item, sender in sorted(in_flight.values(), key=lambda pair: pair[0].index):
            # A sender of its own knows whether its request began to leave; a shared one (no sockets) cannot say.
            if sender is not client and not sender.progress.ever:
                item.error = StoppedUnsent("stopped before it was sent")
            else:
                item.error = Interrupted("stopped before the API acknowledged it")
            with contextlib.suppress(StopBatch):  # stopping already
                on_result(item)
        return stop
    finally:
        stopping = True
        for sender in senders:
            if sender is not client:
                await through_a_signal(sender.aclose())


async def through_a_signal(step: Awaitable[object]) -> None:
    """Await a step of the batch's wind-down to its end, even when a stop signal cancels it meanwhile
    (the first signal, coming after another stop: the reader went away, the endpoint stopped
    answering). The wind-down reports the lines in flight; cut short, they would be in no file. The
    signal is not lost: run_in_loop has it, and the exit code says it."""
    task = asyncio.ensure_future(step)
    while not task.done():
        try:
            await asyncio.wait([task])
        except asyncio.CancelledError:
            continue
    if not task.cancelled() and task.exception() is not None:
        raise task.exception()
