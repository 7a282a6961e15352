"""Local input: --data-file, @FILE for `api --data`, and the line reader of --batch.

Everything here is read before a request is sent, and every failure is a UsageError (exit 2).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import stat
from pathlib import Path
from typing import BinaryIO

from discue_cli.api.batch import LineResult
from discue_cli.errors import UsageError

MAX_LINE = 16 * 1024 * 1024


def read_bytes(path: str, stdin: BinaryIO) -> bytes:
    """A whole file, or stdin for '-'."""
    try:
        return stdin.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def read_data_file(path: str, stdin: BinaryIO) -> str:
    """A message's data from a file or stdin ('-'), without one trailing newline."""
    try:
        text = read_bytes(path, stdin).decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
    return text[:-1] if text.endswith("\n") else text


def read_json_arg(value: str, stdin: BinaryIO, flag: str = "--data") -> bytes:
    """JSON text, @FILE or @-; checked to be JSON before anything is sent."""
    raw = read_bytes(value[1:], stdin) if value.startswith("@") else value.encode("utf-8")
    try:
        json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{flag} is not valid JSON: {exc}") from None
    return raw


def open_batch(path: str, stdin: BinaryIO) -> BinaryIO:
    if path == "-":
        return stdin
    try:
        return open(path, "rb")  # noqa: SIM115 - closed by the batch command
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def is_regular_file(stream: BinaryIO) -> bool:
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, io.UnsupportedOperation, AttributeError, ValueError):
        return True  # an in-memory stream: read it like a file


def count_lines(stream: BinaryIO) -> int | None:
    """Non-blank lines in a regular file (what will be sent), for the bar's total and ETA; None for a pipe."""
    if not is_regular_file(stream) or not hasattr(stream, "fileno"):
        return None
    try:
        fh = open(stream.fileno(), "rb", closefd=False)  # noqa: SIM115
    except (OSError, io.UnsupportedOperation):
        return None
    with fh:
        fh.seek(0)
        total = sum(1 for line in fh if line.strip())
        fh.seek(0)
    return total or None


def decode(raw: bytes) -> str | None:
    """A line's text without its line ending; None for a line that is not UTF-8."""
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        return None


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

    def rest(self) -> list[str]:
        """The unread non-blank lines of a regular file (after an interrupt)."""
        if not self.regular:
            return []
        rest = []
        while raw := self.stream.readline():
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            if text.strip():
                rest.append(text)
        return rest

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
