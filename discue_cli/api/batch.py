"""Bulk sends: one message per non-empty line, streamed, sent concurrently over one pooled client.

Lines are read as they come (a regular file synchronously, a pipe through the event loop), so
memory stays flat however long the input and a slow pipe never stalls replies already in flight.
"""

from __future__ import annotations

import asyncio
import io
import os
import stat
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import BinaryIO

from discue_cli.api import Reply
from discue_cli.api.client import Client
from discue_cli.api.messages import add_message
from discue_cli.errors import DiscueError, UsageError

MAX_LINE = 16 * 1024 * 1024


@dataclass
class LineResult:
    """What became of one input line; `index` counts non-empty lines from 0, `lineno` from 1."""

    index: int
    lineno: int
    line: str
    reply: Reply | None = None
    error: DiscueError | None = None


class Interrupted(DiscueError):
    """The run stopped before this line was acknowledged."""

    exit_code = 130


def is_regular_file(stream: BinaryIO) -> bool:
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, io.UnsupportedOperation, AttributeError, ValueError):
        return True  # an in-memory stream: read it like a file


async def raw_lines(stream: BinaryIO) -> AsyncIterator[bytes]:
    """The stream's lines, without blocking the event loop on a pipe."""
    if is_regular_file(stream):
        while raw := stream.readline():
            yield raw
        return
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_LINE)
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stream)
    try:
        while True:
            try:
                raw = await reader.readline()
            except ValueError:
                raise UsageError(f"an input line is longer than {MAX_LINE} bytes") from None
            if not raw:
                return
            yield raw
    finally:
        transport.close()


def decode(raw: bytes) -> str | None:
    """A line's text without its line ending; None for a line that is not UTF-8."""
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        return None


async def send_batch(
    client: Client,
    queue_id: str,
    stream: BinaryIO,
    concurrency: int,
    on_result: Callable[[LineResult], None],
) -> bool:
    """Send every non-empty line of `stream` as a message; report each line once; True if interrupted."""
    pending: asyncio.Queue[LineResult | None] = asyncio.Queue(maxsize=concurrency * 4)
    in_flight: dict[int, LineResult] = {}
    handing_over: list[LineResult] = []  # the line being queued, should a cancel land mid-put

    async def produce() -> None:
        index = lineno = 0
        async for raw in raw_lines(stream):
            lineno += 1
            text = decode(raw)
            if text is not None and not text.strip():
                continue
            item = LineResult(
                index, lineno, text if text is not None else raw.decode("utf-8", "replace").rstrip("\r\n")
            )
            if text is None:
                item.error = UsageError("the line is not valid UTF-8")
            index += 1
            handing_over.append(item)
            await pending.put(item)
            handing_over.clear()

    async def consume() -> None:
        while (item := await pending.get()) is not None:
            if item.error is None:
                in_flight[item.index] = item
                try:
                    item.reply = await add_message(client, queue_id, item.line)
                except DiscueError as exc:
                    item.error = exc
                del in_flight[item.index]
            on_result(item)

    workers = [asyncio.create_task(consume()) for _ in range(concurrency)]
    try:
        await produce()
        for _ in workers:
            await pending.put(None)
        await asyncio.gather(*workers)
        return False
    except asyncio.CancelledError:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        stopped = list(in_flight.values()) + handing_over
        while not pending.empty():
            item = pending.get_nowait()
            if item is not None:
                stopped.append(item)
        for item in sorted(stopped, key=lambda i: i.index):
            if item.error is None:
                item.error = Interrupted("interrupted before the API acknowledged it")
            on_result(item)
        return True
    except BaseException:
        for task in workers:
            task.cancel()
        raise
