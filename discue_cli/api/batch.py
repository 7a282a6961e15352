"""Bulk sends: one message per non-empty line, streamed, sent concurrently over one pooled client.

Lines are read as they come (a regular file synchronously, a pipe through the event loop), so
memory stays flat however long the input and a slow pipe never stalls replies already in flight.
"""

from __future__ import annotations

import asyncio
import io
import os
import stat
from collections.abc import Callable
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


class LineSource:
    """Numbered, non-blank lines of a stream, shared by all senders.

    A regular file is read synchronously (never blocks for long, and no hand-off is needed);
    a pipe is read through the event loop so a slow writer never stalls replies in flight.
    """

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.regular = is_regular_file(stream)
        self.reader: asyncio.StreamReader | None = None
        self.transport: asyncio.BaseTransport | None = None
        self.lock = asyncio.Lock()
        self.index = 0
        self.lineno = 0

    async def _read_pipe(self) -> bytes:
        if self.reader is None:
            loop = asyncio.get_running_loop()
            self.reader = asyncio.StreamReader(limit=MAX_LINE)
            self.transport, _ = await loop.connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(self.reader), self.stream
            )
        try:
            return await self.reader.readline()
        except ValueError:
            raise UsageError(f"an input line is longer than {MAX_LINE} bytes") from None

    async def next(self) -> LineResult | None:
        """The next line to send (with its error when it cannot be sent), or None at the end."""
        if self.regular:
            return self._take_regular()
        async with self.lock:
            while raw := await self._read_pipe():
                item = self._item(raw)
                if item is not None:
                    return item
        return None

    def _take_regular(self) -> LineResult | None:
        while raw := self.stream.readline():
            item = self._item(raw)
            if item is not None:
                return item
        return None

    def _item(self, raw: bytes) -> LineResult | None:
        self.lineno += 1
        text = decode(raw)
        if text is not None and not text.strip():
            return None
        item = LineResult(
            self.index, self.lineno, text if text is not None else raw.decode("utf-8", "replace").rstrip("\r\n")
        )
        if text is None:
            item.error = UsageError("the line is not valid UTF-8")
        self.index += 1
        return item

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


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
    source = LineSource(stream)
    in_flight: dict[int, LineResult] = {}

    async def send() -> None:
        while (item := await source.next()) is not None:
            if item.error is None:
                in_flight[item.index] = item
                try:
                    item.reply = await add_message(client, queue_id, item.line)
                except DiscueError as exc:
                    item.error = exc
                del in_flight[item.index]
            on_result(item)

    senders = [asyncio.create_task(send()) for _ in range(concurrency)]
    try:
        await asyncio.gather(*senders)
        return False
    except asyncio.CancelledError:
        for task in senders:
            task.cancel()
        await asyncio.gather(*senders, return_exceptions=True)
        for item in sorted(in_flight.values(), key=lambda i: i.index):
            item.error = Interrupted("interrupted before the API acknowledged it")
            on_result(item)
        return True
    except BaseException:
        for task in senders:
            task.cancel()
        raise
    finally:
        source.close()
