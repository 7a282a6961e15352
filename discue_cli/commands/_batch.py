"""The terminal side of `messages add --batch`: ordered output, progress, summary, the failed-lines file."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from discue_cli.api.batch import StopBatch
from discue_cli.errors import DiscueError, Interrupted
from discue_cli.output import Output

SHOWN_FAILURES = 10


class OutputClosed(DiscueError):
    """stdout can take no more: its reader went away, or it failed (a full disk)."""

    exit_code = 1

    def __init__(self, exc: OSError) -> None:
        if isinstance(exc, BrokenPipeError):
            super().__init__("the output was closed (the program reading it went away): the batch stopped")
        else:
            super().__init__(f"cannot write output ({exc.strerror or exc}): the batch stopped")


@dataclass
class BatchOptions:
    queue: str
    stream: BinaryIO
    concurrency: int = 8
    global_flags: dict[str, Any] = field(default_factory=dict)  # the run's, for the command that resends


# The global flags that decide where and how a batch goes, in the root's order (not -v, --no-color: they only show).
RESEND_FLAGS = ("api_endpoint", "profile", "local", "timeout", "retries", "api_version")


def resend_command(flags: dict[str, Any], queue: str, path: Any) -> tuple[str, bool]:
    """The command that sends the failed lines where this run sent the rest, shell-quoted; and whether
    credentials in the endpoint were hidden. Never the key: it stays where the user keeps it."""
    import shlex

    from discue_cli.redaction import redact_url

    words, hidden = ["discue"], False
    for key in RESEND_FLAGS:
        value = flags.get(key)
        if value is None or value is False:
            continue
        words.append(f"--{key.replace('_', '-')}")
        if key == "api_endpoint":
            shown = redact_url(str(value))
            hidden = shown != value
            words.append(shown)
        elif value is not True:
            words.append(str(value))
    words += ["messages", "add", queue, "--batch", str(path)]
    return " ".join(shlex.quote(word) for word in words), hidden


def open_failed_lines(path: Path) -> io.FileIO:
    """The failed-lines file, unbuffered: each line is written whole (or cut back out) before the next."""
    return io.FileIO(path, "wb")


class FailedLines:
    """Where lines that did not go through are kept, byte for byte, so that `--batch FILE` can finish
    the job. A line is kept whole or not at all (a fragment would be sent as a message of its own);
    when one cannot be kept (a full disk), `error` says why and `lost` counts it and every one after."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self._fh: io.FileIO | None = None
        self.error: DiscueError | None = None
        self.lost = 0

    def write(self, raw: bytes | BinaryIO) -> bool:
        """Keep a line; False when it could not be kept."""
        from discue_cli.commands._input import Unkept

        if isinstance(raw, Unkept):  # never held: counted, and the file is no worse for it
            self.lost += 1
            return True
        if self.error is None:
            try:
                self._keep(raw)
                return True
            except OSError as exc:
                where = self.path or "(none could be made here or in the temporary folder)"
                self.error = DiscueError(f"cannot write the failed-lines file {where}: {exc.strerror or exc}")
        self.lost += 1
        if not isinstance(raw, bytes):
            raw.close()
        return False

    def _keep(self, raw: bytes | BinaryIO) -> None:
        if self._fh is None:
            name = f"discue-failed-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.txt"
            failure: OSError | None = None
            for folder in (Path.cwd(), Path(tempfile.gettempdir())):
                try:
                    self._fh = open_failed_lines(folder / name)
                    self.path = (folder / name).resolve()
                    break
                except OSError as exc:
                    failure = failure or exc
            if self._fh is None:
                raise failure or OSError("no folder to write in")
        start = self._fh.tell()
        try:
            if isinstance(raw, bytes):
                self._write_all(raw if raw.endswith(b"\n") else raw + b"\n")
                return
            with raw:  # a line too long to hold in memory, spooled to disk
                last = b"\n"
                while chunk := raw.read(1 << 20):
                    self._write_all(chunk)
                    last = chunk[-1:]
                if last != b"\n":
                    self._write_all(b"\n")
        except OSError:
            with contextlib.suppress(OSError):  # no fragment of this line stays behind
                self._fh.truncate(start)
                self._fh.seek(start)
            raise

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = self._fh.write(view)  # type: ignore[union-attr]
            view = view[written or 0 :]

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


class BatchReport:
    """Prints results in input order; counts what went, what failed and what was not sent."""

    def __init__(self, out: Output, failed_lines: FailedLines, bar: Any):
        self.out = out
        self.failed_lines = failed_lines
        self.bar = bar
        self.sent = 0
        self.failed = 0
        self.not_sent = 0
        self.failed_numbers: list[int] = []
        self.exit_codes: set[int] = set()
        self._held: dict[int, Any] = {}
        self._next = 0
        self.started = time.perf_counter()
        self.output_closed = False
        self.stopping_for_file = False

    def on_result(self, item: Any) -> None:
        if item.error is None:
            self.sent += 1
            self._held[item.index] = item.reply
        else:
            if isinstance(item.error, Interrupted):
                self.not_sent += 1
            else:
                self.failed += 1
                self.exit_codes.add(item.error.exit_code)
                if len(self.failed_numbers) < SHOWN_FAILURES:
                    self.failed_numbers.append(item.lineno)
                    status = f" ({item.error.status})" if item.error.status is not None else ""
                    self.out.info(f"line {item.lineno}: {item.error.title}{status}")
            kept = self.failed_lines.write(item.raw)
            self._held[item.index] = None
            if not kept and not self.stopping_for_file:
                self.stopping_for_file = True  # what is not sent from now on could not be kept either
                raise StopBatch(self.failed_lines.error)  # type: ignore[arg-type]
        self._flush()
        self.bar.advance(1, self.rate)

    def unsent(self, raw: bytes | BinaryIO) -> None:
        """A line read (or left in a file) but never sent."""
        self.not_sent += 1
        self.failed_lines.write(raw)

    @property
    def rate(self) -> float:
        elapsed = time.perf_counter() - self.started
        return (self.sent + self.failed) / elapsed if elapsed > 0 else 0.0

    def _flush(self) -> None:
        while self._next in self._held:
            reply = self._held.pop(self._next)
            self._next += 1
            if reply is not None:
                self._show(reply)

    def finish(self) -> None:
        """Print the replies still held behind lines that never got one (a stop), in input order."""
        for index in sorted(self._held):
            if self._held[index] is not None:
                with contextlib.suppress(StopBatch):  # stopping already
                    self._show(self._held[index])
        self._held.clear()

    def _show(self, reply: Any) -> None:
        """A reply on stdout; when the reader has gone away (`| head`, or Ctrl-C killed the whole
        pipeline), the batch stops: what was not acknowledged still goes to the failed-lines file."""
        if self.output_closed:
            return
        try:
            self.out.show(reply, terminal_view=False)
        except OSError as exc:  # the reader went away (EPIPE), or stdout's disk is full (ENOSPC)...
            from discue_cli.output import silence_stdout

            self.output_closed = True
            silence_stdout()
            raise StopBatch(OutputClosed(exc)) from None

    def summary(self, queue: str, stop: DiscueError | None, flags: dict[str, Any] | None = None) -> int:
        """Say what happened on stderr (with -q, only when something did not go); the exit code."""
        elapsed = time.perf_counter() - self.started
        total = self.sent + self.failed + self.not_sent
        rate = self.sent / elapsed if elapsed > 0 else 0.0
        if stop is not None and not isinstance(stop, Interrupted):
            self.out.error(stop)
        if self.failed_lines.error is not None and self.failed_lines.error is not stop:
            self.out.error(self.failed_lines.error)  # a signal stopped it, and the file filled up too
        if self.out.fmt.quiet and total == self.sent and stop is None:
            return 0
        head = "Interrupted: sent" if isinstance(stop, Interrupted) else "Stopped: sent" if stop else "Sent"
        line = f"{head} {self.sent} of {total} message(s) to {queue} in {elapsed:.1f}s ({rate:,.0f}/s)"
        if self.failed:
            numbers = ", ".join(str(n) for n in sorted(self.failed_numbers))  # in input order
            more = ", …" if self.failed > len(self.failed_numbers) else ""
            line += f"; {self.failed} failed (line {numbers}{more})"
        if self.not_sent:
            line += f"; {self.not_sent} not sent"
        if self.failed_lines.lost:
            line += f"; {self.failed_lines.lost} line(s) neither sent nor kept"
        self.out.info(line + ".")
        if self.failed_lines.path is not None:
            path = self.failed_lines.path
            command, hidden = resend_command(flags or {}, queue, path)
            some = "Some of the lines" if self.failed_lines.lost else "The lines"
            self.out.info(f"{some} that did not go through are in {path}; send them with: {command}")
            if hidden:
                self.out.info("(the endpoint's credentials are shown as ***: put them back)")
        if stop is not None:
            return stop.exit_code
        if self.failed:
            return self.exit_codes.pop() if len(self.exit_codes) == 1 else 1
        return 0


async def batch_run(opts: BatchOptions, client: Any, out: Output) -> int:
    from discue_cli.api.batch import send_batch
    from discue_cli.api.resolve import resolve_queue_id
    from discue_cli.commands._input import LineSource, count_lines

    queue_id = await resolve_queue_id(client, opts.queue)
    failed = FailedLines()
    total = count_lines(opts.stream) if out.stderr_tty else None
    source = LineSource(opts.stream)
    try:
        with out.progress(total, "Sending") as bar:
            report = BatchReport(out, failed, bar)
            stop = await send_batch(client, queue_id, source, opts.concurrency, report.on_result)
            if stop is not None:
                bar.clear()  # the summary must not share a line with a bar frozen mid-run
        if stop is not None:
            # What was read but not sent, and the unread rest of a file, go with the failed lines.
            for raw in source.rest():
                report.unsent(raw)
        report.finish()
    finally:
        failed.close()
    try:
        out.flush()
    except OSError as exc:  # after the last line was sent: all of it went, some ids were not shown
        from discue_cli.output import silence_stdout

        silence_stdout()
        if stop is None and not isinstance(exc, BrokenPipeError):
            stop = OutputClosed(exc)
    return report.summary(opts.queue, stop, opts.global_flags)
