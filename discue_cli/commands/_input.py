"""Local input: --data-file, @FILE for `api --data`, and the line reader of --batch.

Everything here is read before a request is sent, and every failure is a UsageError (exit 2).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from discue_cli.api.batch import LineResult
from discue_cli.errors import UsageError

MAX_LINE = 16 * 1024 * 1024  # longer lines fail alone (kept on disk for the failed-lines file, never in memory)
CHUNK = 16 * 1024  # the most read ahead of the line being taken: lines read are lines owed
FINISH_LINE_WITHIN = 2.0  # seconds to wait, on a stop, for the rest of a line half read from a pipe


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
    except RecursionError:
        raise UsageError(f"{flag} is not usable JSON: nested too deeply") from None
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


def blank(raw: bytes | BinaryIO) -> bool:
    """A line that is not sent at all (empty or white space); an undecodable one is not blank."""
    if not isinstance(raw, bytes):
        return False
    text = decode(raw)
    return text is not None and not text.strip()


class Unkept:
    """An over-long line that could not be spooled to disk (a full TMPDIR): reported and counted, kept nowhere.
    Stands where the spool would: what is written to it is dropped."""

    def __init__(self, error: OSError):
        self.error = error

    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        pass


class LineSource:
    """Numbered, non-blank lines of a stream, shared by all senders, read CHUNK bytes at a time.

    Nothing is read before a sender asks for a line, so on a stop every line read is in hand (in
    flight, or buffered here and handed over by `rest()`) and a pipe keeps what was not read. A pipe
    is waited on through the event loop (a slow writer never stalls replies in flight) and read with
    os.read on its descriptor, never through a buffered file object that would read ahead.
    """

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.fd = None if is_regular_file(stream) else stream.fileno()
        self.buffer = bytearray()
        self.scanned = 0  # bytes of the buffer known to hold no newline
        self.spool: BinaryIO | None = None  # the head of an over-long line
        self.eof = False
        self.lock = asyncio.Lock()
        self.index = 0
        self.lineno = 0

    async def next(self) -> LineResult | None:
        """The next line to send (with its error when it cannot be sent), or None at the end."""
        async with self.lock:
            while (raw := await self._line()) is not None:
                item = self._item(raw)
                if item is not None:
                    return item
            return None

    async def _line(self) -> bytes | BinaryIO | None:
        while True:
            end = self.buffer.find(b"\n", self.scanned)
            if end >= 0:
                return self._take(end + 1)
            if self.eof:
                return self._take(len(self.buffer)) if self.buffer or self.spool else None
            self.scanned = len(self.buffer)
            if len(self.buffer) > MAX_LINE:
                self._spill()
            chunk = await self._read()
            if chunk:
                self.buffer += chunk
            else:
                self.eof = True

    def _take(self, size: int) -> bytes | BinaryIO | Unkept:
        raw = bytes(self.buffer[:size])
        del self.buffer[:size]
        self.scanned = 0
        if self.spool is None:
            return raw
        spool, self.spool = self.spool, None
        if isinstance(spool, Unkept):
            return spool
        try:
            spool.write(raw)
            spool.seek(0)
        except OSError as exc:
            spool.close()
            return Unkept(exc)
        return spool

    def _spill(self) -> None:
        """Move the head of an over-long line to disk: it fails alone, and memory stays bounded."""
        try:
            if self.spool is None:
                self.spool = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the failed-lines file
            self.spool.write(self.buffer)
        except OSError as exc:  # a full TMPDIR: the line cannot be kept; the rest of it is read past
            if self.spool is not None:
                self.spool.close()
            self.spool = Unkept(exc)
        self.buffer.clear()
        self.scanned = 0

    async def _read(self) -> bytes:
        if self.fd is None:
            return self.stream.read(CHUNK)
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        try:
            loop.add_reader(self.fd, lambda: ready.done() or ready.set_result(None))
        except (OSError, NotImplementedError, ValueError):
            return self._read_fd()  # not pollable (/dev/null, Windows): a plain blocking read
        try:
            await ready
        finally:
            loop.remove_reader(self.fd)
        return self._read_fd()

    def _read_fd(self, size: int = CHUNK) -> bytes:
        try:
            return os.read(self.fd, size)
        except OSError:
            return b""  # a hung-up terminal: the input ends here

    def rest(self) -> Iterator[bytes | BinaryIO]:
        """After a stop: the lines read but not taken, then the unread rest of a regular file.

        From a pipe, a line half read is completed one byte at a time (never reading past its end),
        so what stays in the pipe starts at a line boundary."""
        if self.fd is not None and not self.eof and (self.spool or self.buffer and not self.buffer.endswith(b"\n")):
            self._finish_line()
        while True:
            end = self.buffer.find(b"\n")
            if end < 0:
                if self.fd is not None or self.eof:
                    break
                chunk = self.stream.read(CHUNK)
                if chunk:
                    self.buffer += chunk
                    continue
                self.eof = True
                break
            raw = self._take(end + 1)
            if not blank(raw):
                yield raw
        if self.buffer.strip() or self.spool:
            yield self._take(len(self.buffer))

    def _finish_line(self) -> None:
        import select

        deadline = time.monotonic() + FINISH_LINE_WITHIN
        while not self.buffer.endswith(b"\n"):
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([self.fd], [], [], wait)[0]:
                return  # the writer stalled mid-line: what we have goes to the failed-lines file
            byte = self._read_fd(1)
            if not byte:
                self.eof = True
                return
            self.buffer += byte

    def _item(self, raw: bytes | BinaryIO) -> LineResult | None:
        self.lineno += 1
        if isinstance(raw, Unkept):
            item = LineResult(self.index, self.lineno, "", raw)  # type: ignore[arg-type]
            reason = raw.error.strerror or raw.error
            item.error = UsageError(f"the line is longer than {MAX_LINE} bytes, and it could not be kept ({reason})")
        elif not isinstance(raw, bytes) or len(raw.rstrip(b"\r\n")) > MAX_LINE:
            item = LineResult(self.index, self.lineno, "", raw)
            item.error = UsageError(f"the line is longer than {MAX_LINE} bytes")
        elif blank(raw):
            return None
        else:
            text = decode(raw)
            item = LineResult(self.index, self.lineno, text or "", raw)
            if text is None:
                item.error = UsageError("the line is not valid UTF-8")
        self.index += 1
        return item
