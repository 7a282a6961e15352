"""Bulk sends: one message per line from a source, sent by concurrent senders, each on its own connection."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from discue_cli.api import Reply
from discue_cli.api.client import Client
from discue_cli.api.messages import add_message
from discue_cli.errors import DiscueError, Interrupted, NoResponseError


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


async def send_batch(
    client: Client,
    queue_id: str,
    source: Source,
    concurrency: int,
    on_result: Callable[[LineResult], None],
) -> DiscueError | None:
    """Send every line `source` gives as a message and report each line once.

    Returns None when the source ran out; else why it stopped early: Interrupted (a signal
    cancelled the task), the NoResponseError of an endpoint that stopped answering, or the error
    of a StopBatch that `on_result` raised. Lines in flight then are reported with an Interrupted
    error: they may or may not have arrived."""
    in_flight: dict[int, LineResult] = {}
    no_response = 0  # lines in a row that got no response

    async def send(lane: Client) -> None:
        nonlocal no_response
        while (item := await source.next()) is not None:
            if item.error is None:
                in_flight[item.index] = item
                try:
                    item.reply = await add_message(lane, queue_id, item.line)
                    no_response = 0
                except NoResponseError as exc:
                    item.error = exc
                    no_response += 1
                except DiscueError as exc:
                    item.error = exc
                    no_response = 0
                del in_flight[item.index]
            on_result(item)
            if no_response >= give_up_after(concurrency):
                raise StopBatch(item.error)
            if item.index % YIELD_EVERY == 0:
                # An in-process transport (--local) reading a file never suspends: without this the
                # loop would not see a signal until the whole batch was sent. Not after every line:
                # over HTTP, each extra yield costs the connection pool a reassignment round.
                await asyncio.sleep(0)

    lanes = [client.lane() for _ in range(concurrency)]
    senders = [asyncio.create_task(send(lane)) for lane in lanes]
    try:
        try:
            await asyncio.gather(*senders)
            return None
        except asyncio.CancelledError:
            stop: DiscueError = Interrupted()
        except StopBatch as exc:
            stop = exc.error
        except BaseException:
            for task in senders:
                task.cancel()
            raise
        for task in senders:
            task.cancel()
        await through_a_signal(asyncio.wait(senders))
        for item in sorted(in_flight.values(), key=lambda i: i.index):
            item.error = Interrupted("stopped before the API acknowledged it")
            with contextlib.suppress(StopBatch):  # stopping already
                on_result(item)
        return stop
    finally:
        for lane in lanes:
            if lane is not client:
                await through_a_signal(lane.aclose())


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
