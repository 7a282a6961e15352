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
    concurrency: int | None = None  # None: adapts (api/limiter.py)
    rate: float | None = None
    global_flags: dict[str, Any] = field(default_factory=dict)  # the run's, for the command that resends


# The global flags that decide where and how a batch goes, in the root's order (not -v, --no-color: they only show).
RESEND_FLAGS = ("api_endpoint", "profile", "local", "timeout", "retries", "api_version")


def resend_command(flags: dict[str, Any], queue: str, path: Any) -> tuple[str, bool]:
    """The command that sends the failed lines where this run sent the rest, shell-quoted; and whether
    credentials in the endpoint were hidden. Never the key: it stays where the user keeps it."""
    return same_place(flags, ["messages", "add", queue, "--batch", str(path)])


def same_place(flags: dict[str, Any], verb: list[str]) -> tuple[str, bool]:
    """`discue [the run's global flags that choose where it goes] VERB...`, shell-quoted; and whether
    credentials in the endpoint were hidden."""
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
    words += verb
    return " ".join(shlex.quote(word) for word in words), hidden


def open_failed_lines(path: Path) -> io.FileIO:
    """The failed-lines file, unbuffered: each line is written whole (or cut back out) before the next.
    Private to the user (0600): it holds the messages' data."""
    return io.FileIO(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


class FailedLines:
    """Where lines that did not go through are kept, byte for byte, so that `--batch FILE` can finish
    the job. A line is kept whole or not at all (a fragment would be sent as a message of its own);
    when one cannot be kept (a full disk), `error` says why and `lost` counts it and every one after.
    `kind` names the file: `failed` (not sent: resend them) or `unknown` (check before resending)."""

    def __init__(self, kind: str = "failed") -> None:
        self.kind = kind
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
                what = "failed-lines" if self.kind == "failed" else "unknown-outcome lines'"
                self.error = DiscueError(f"cannot write the {what} file {where}: {exc.strerror or exc}")
        self.lost += 1
        if not isinstance(raw, bytes):
            raw.close()
        return False

    def _keep(self, raw: bytes | BinaryIO) -> None:
        if self._fh is None:
            name = f"discue-{self.kind}-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.txt"
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


FLUSH_WITHIN = 0.1  # seconds an acknowledged line's output may wait in stdout's buffer


class BatchReport:
    """Prints results in input order and sorts every line into sent, not sent or outcome unknown."""

    def __init__(self, out: Output, failed_lines: FailedLines, bar: Any, unknown_lines: FailedLines | None = None):
        self.out = out
        self.failed_lines = failed_lines
        self.unknown_lines = unknown_lines or FailedLines("unknown")
        self.bar = bar
        self.sent = 0
        self.failed = 0  # not sent, with an error of their own (refused, unreadable...)
        self.not_sent = 0  # not sent because the batch stopped first (read, never tried)
        self.unknown = 0
        self.failed_numbers: list[int] = []
        self.unknown_numbers: list[int] = []
        self.exit_codes: set[int] = set()
        self._held: dict[int, Any] = {}
        self._next = 0
        self.started = time.perf_counter()
        self.output_closed = False
        self.stopping_for_file = False
        self.flush_error: OSError | None = None
        self._flush_timer: Any = None
        self._last_flush = time.monotonic()
        # A bar on the terminal stdout writes to: data lines go above it, through its console.
        self.above_bar = out.stdout_tty and out.stderr_tty and same_terminal(out) and hasattr(bar, "print")
        self.pacing: Any = None  # the batch's limiter (api.batch.Pacing), once it starts
        self._second = 0  # the whole second since the start that `_in_second` counts sent lines of
        self._in_second = 0
        self.peak = 0

    def follow(self, pacing: Any) -> None:
        self.pacing = pacing

    def on_result(self, item: Any) -> None:
        from discue_cli.api.batch import SENT, UNKNOWN

        if self.flush_error is not None:
            self._closed(self.flush_error)
        kind = item.kind
        if kind == SENT:
            self.sent += 1
            second = int(time.perf_counter() - self.started)
            if second != self._second:
                self.peak = max(self.peak, self._in_second)
                self._second, self._in_second = second, 0
            self._in_second += 1
            self._held[item.index] = item.reply if item.reply is not None else NO_REPLY
        else:
            if kind == UNKNOWN:
                self.unknown += 1
                numbers, kept_in = self.unknown_numbers, self.unknown_lines
            else:
                self.failed += 1
                numbers, kept_in = self.failed_numbers, self.failed_lines
            if not isinstance(item.error, Interrupted):
                self.exit_codes.add(item.error.exit_code)
            if len(numbers) < SHOWN_FAILURES:
                numbers.append(item.lineno)
                if not isinstance(item.error, Interrupted):
                    status = f" ({item.error.status})" if item.error.status is not None else ""
                    self.out.info(f"line {item.lineno}: {item.error.title}{status}")
            kept = kept_in.write(item.raw)
            self._held[item.index] = None
            if not kept and not self.stopping_for_file:
                self.stopping_for_file = True  # what is not sent from now on could not be kept either
                raise StopBatch(kept_in.error)  # type: ignore[arg-type]
        self._flush()
        self.bar.advance(1, self.rate, self.pacing.in_flight if self.pacing is not None else None)

    def unsent(self, raw: bytes | BinaryIO) -> None:
        """A line read (or left in a file) but never sent."""
        self.not_sent += 1
        self.failed_lines.write(raw)

    @property
    def rate(self) -> float:
        elapsed = time.perf_counter() - self.started
        return (self.sent + self.failed + self.unknown) / elapsed if elapsed > 0 else 0.0

    def _flush(self) -> None:
        wrote = False
        while self._next in self._held:
            reply = self._held.pop(self._next)
            self._next += 1
            if reply is not None:
                self._show(reply)
                wrote = True
        if wrote:
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        """stdout reaches its reader within FLUSH_WITHIN of a line's acknowledgement (a pipe's buffer
        would otherwise hold ids until it fills, or the batch ends)."""
        if self._flush_timer is not None or self.output_closed:
            return
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        wait = max(0.0, self._last_flush + FLUSH_WITHIN - time.monotonic())
        self._flush_timer = loop.call_later(wait, self._flush_now)

    def _flush_now(self) -> None:
        self._flush_timer = None
        self._last_flush = time.monotonic()
        if self.output_closed:
            return
        try:
            self.out.flush()
        except OSError as exc:  # said by the next result (a callback cannot stop the batch)
            self.flush_error = exc

    def cancel_flush(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None

    def finish(self) -> None:
        """Print the replies still held behind lines that never got one (a stop), in input order."""
        self.cancel_flush()
        for index in sorted(self._held):
            if self._held[index] is not None:
                with contextlib.suppress(StopBatch):  # stopping already
                    self._show(self._held[index])
        self._held.clear()

    def _show(self, reply: Any) -> None:
        """A reply on stdout; when the reader has gone away (`| head`, or Ctrl-C killed the whole
        pipeline), the batch stops: what was not acknowledged still goes to the failed-lines file.
        A reply without an id (or without a readable body) prints an empty line with -q, `{}` with
        --json: one output line per line sent."""
        if self.output_closed:
            return
        try:
            if reply is NO_REPLY or (self.out.fmt.quiet and not reply.ids):
                if self.out.fmt.quiet:
                    self._write_line("")
                elif self.out.fmt.structured or self.out.fmt.jq is not None:
                    from discue_cli.api import Reply

                    self._write_show(Reply({}))
                return
            self._write_show(reply)
        except OSError as exc:  # the reader went away (EPIPE), or stdout's disk is full (ENOSPC)...
            self._closed(exc)

    def _write_line(self, text: str) -> None:
        if self.above_bar and self.bar.running:
            self.bar.print(text)
        else:
            self.out.line(text)

    def _write_show(self, reply: Any) -> None:
        if not (self.above_bar and self.bar.running):
            self.out.show(reply, terminal_view=False)
            return
        import io

        real, self.out.stdout = self.out.stdout, io.StringIO()
        try:
            self.out.show(reply, terminal_view=False)
            shown = self.out.stdout.getvalue()
        finally:
            self.out.stdout = real
        for text in shown.splitlines():
            self.bar.print(text)

    def _closed(self, exc: OSError) -> None:
        from discue_cli.output import silence_stdout

        self.output_closed = True
        self.cancel_flush()
        silence_stdout()
        raise StopBatch(OutputClosed(exc)) from None

    def summary(self, queue: str, stop: DiscueError | None, flags: dict[str, Any] | None = None) -> int:
        """Say what happened on stderr (with -q, only when something did not go); the exit code."""
        elapsed = time.perf_counter() - self.started
        not_sent = self.failed + self.not_sent
        total = self.sent + not_sent + self.unknown
        rate = self.sent / elapsed if elapsed > 0 else 0.0
        if stop is not None and not isinstance(stop, Interrupted):
            self.out.error(stop)
        for kept_in in (self.failed_lines, self.unknown_lines):
            if kept_in.error is not None and kept_in.error is not stop:
                self.out.error(kept_in.error)  # a signal stopped it, and the file filled up too
        if self.out.fmt.quiet and total == self.sent and stop is None:
            return 0
        head = "Interrupted: sent" if isinstance(stop, Interrupted) else "Stopped: sent" if stop else "Sent"
        line = f"{head} {self.sent} of {total} message(s) to {queue} in {elapsed:.1f}s ({rate:,.0f}/s"
        if elapsed >= 2 and self.peak:
            line += f", peak {self.peak:,}/s"
        if self.pacing is not None and self.pacing.pace.throttled:
            line += f", {self.pacing.pace.throttled} throttled repl{'y' if self.pacing.pace.throttled == 1 else 'ies'}"
        line += ")"
        if not_sent:
            line += f"; {not_sent} not sent" + numbered(self.failed_numbers, not_sent)
        if self.unknown:
            line += f"; {self.unknown} outcome unknown" + numbered(self.unknown_numbers, self.unknown)
        lost = self.failed_lines.lost + self.unknown_lines.lost
        if lost:
            line += f"; {lost} line(s) neither sent nor kept"
        self.out.info(line + ".")
        if self.failed_lines.path is not None:
            path = self.failed_lines.path
            command, hidden = resend_command(flags or {}, queue, path)
            some = "Some of the lines" if self.failed_lines.lost else "The lines"
            self.out.info(f"{some} not sent are in {path}; send them with: {command}")
            if hidden:
                self.out.info("(the endpoint's credentials are shown as ***: put them back)")
        if self.unknown_lines.path is not None:
            self.out.info(
                f"The lines whose outcome is unknown are in {self.unknown_lines.path}: the API may have stored "
                f"them. Check with `{same_place(flags or {}, ['messages', 'list', queue])[0]}` before sending any "
                "of them again."
            )
        if stop is not None:
            return stop.exit_code
        if self.failed or self.unknown:
            return self.exit_codes.pop() if len(self.exit_codes) == 1 else 1
        return 0


NO_REPLY = object()  # a line acknowledged by a reply whose body could not be read


def numbered(numbers: list[int], count: int) -> str:
    """' (line 3, 7, …)': the first line numbers of a kind, in input order."""
    if not numbers:
        return ""
    more = ", …" if count > len(numbers) else ""
    return f" (line {', '.join(str(n) for n in sorted(numbers))}{more})"


def same_terminal(out: Output) -> bool:
    """Whether stdout and stderr are the same terminal (a bar on one would share lines with the other)."""
    try:
        return os.path.sameopenfile(out.stdout.fileno(), out.stderr.fileno())
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return False  # streams without descriptors (in memory) share no screen


async def batch_run(opts: BatchOptions, client: Any, out: Output) -> int:
    from discue_cli.api.batch import send_batch
    from discue_cli.api.resolve import resolve_queue_id
    from discue_cli.commands._input import LineSource, count_lines

    queue_id = await resolve_queue_id(client, opts.queue)
    failed = FailedLines()
    unknown = FailedLines("unknown")
    typed = opts.stream is out.streams.stdin_bytes and out.stdin_tty  # a person types the lines
    if typed:
        out.info("Reading messages from the terminal, one a line; Ctrl-D ends them.")
    total = count_lines(opts.stream) if out.stderr_tty and not typed else None
    source = LineSource(opts.stream)
    try:
        with out.progress(total, "Sending", show=not typed) as bar:  # a bar would draw over the typing
            report = BatchReport(out, failed, bar, unknown)
            stop = await send_batch(
                client,
                queue_id,
                source,
                opts.concurrency,
                report.on_result,
                rate=opts.rate,
                say=out.info if client.on_exchange is not None else None,  # -v
                pacing=report.follow,
            )
            if stop is not None:
                bar.clear()  # the summary must not share a line with a bar frozen mid-run
        if stop is not None:
            # What was read but not sent, and the unread rest of a file, go with the failed lines.
            for raw in source.rest():
                report.unsent(raw)
        report.finish()
    finally:
        failed.close()
        unknown.close()
    try:
        out.flush()
    except OSError as exc:  # after the last line was sent: all of it went, some ids were not shown
        from discue_cli.output import silence_stdout

        silence_stdout()
        if stop is None and not isinstance(exc, BrokenPipeError):
            stop = OutputClosed(exc)
    return report.summary(opts.queue, stop, opts.global_flags)
