"""The terminal side of `messages add --batch`: ordered output, progress, summary, the failed-lines file."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from discue_cli.output import Output

SHOWN_FAILURES = 10


@dataclass
class BatchOptions:
    queue: str
    stream: BinaryIO
    concurrency: int = 8


class FailedLines:
    """Where lines that did not go through are kept, so that `--batch FILE` can finish the job."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self._fh: Any = None

    def write(self, line: str) -> None:
        if self._fh is None:
            name = f"discue-failed-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.txt"
            for folder in (Path.cwd(), Path(tempfile.gettempdir())):
                try:
                    self._fh = open(folder / name, "w", encoding="utf-8")  # noqa: SIM115
                    self.path = (folder / name).resolve()
                    break
                except OSError:
                    continue
        if self._fh is not None:
            self._fh.write(line + "\n")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


class BatchReport:
    """Prints results in input order, counts what went and what failed."""

    def __init__(self, out: Output, failed_lines: FailedLines, bar: Any):
        self.out = out
        self.failed_lines = failed_lines
        self.bar = bar
        self.sent = 0
        self.failed = 0
        self.failed_numbers: list[int] = []
        self.exit_codes: set[int] = set()
        self._held: dict[int, Any] = {}
        self._next = 0
        self.started = time.perf_counter()

    def on_result(self, item: Any) -> None:
        if item.error is None:
            self.sent += 1
            self._held[item.index] = item.reply
        else:
            self.failed += 1
            self.exit_codes.add(item.error.exit_code)
            if len(self.failed_numbers) < SHOWN_FAILURES:
                self.failed_numbers.append(item.lineno)
                status = f" ({item.error.status})" if item.error.status is not None else ""
                self.out.info(f"line {item.lineno}: {item.error.title}{status}")
            self.failed_lines.write(item.line)
            self._held[item.index] = None
        self._flush()
        self.bar.advance(1, self.rate)

    @property
    def rate(self) -> float:
        elapsed = time.perf_counter() - self.started
        return (self.sent + self.failed) / elapsed if elapsed > 0 else 0.0

    def _flush(self) -> None:
        while self._next in self._held:
            reply = self._held.pop(self._next)
            self._next += 1
            if reply is not None:
                self.out.show(reply, terminal_view=False)

    def summary(self, queue: str, interrupted: bool) -> int:
        """Say what happened on stderr; the exit code."""
        elapsed = time.perf_counter() - self.started
        total = self.sent + self.failed
        rate = self.sent / elapsed if elapsed > 0 else 0.0
        head = "Interrupted: sent" if interrupted else "Sent"
        line = f"{head} {self.sent} of {total} message(s) to {queue} in {elapsed:.1f}s ({rate:,.0f}/s)"
        if self.failed:
            numbers = ", ".join(str(n) for n in self.failed_numbers)
            more = ", …" if self.failed > len(self.failed_numbers) else ""
            line += f"; {self.failed} failed (line {numbers}{more})"
        self.out.info(line + ".")
        if self.failed_lines.path is not None:
            self.out.info(
                f"The lines that did not go through are in {self.failed_lines.path}; "
                f"send them with: discue messages add {queue} --batch {self.failed_lines.path}"
            )
        if interrupted:
            return 130
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
            interrupted = await send_batch(client, queue_id, source, opts.concurrency, report.on_result)
        if interrupted:
            # The unread rest of the file belongs with the lines that did not go through.
            for text in source.rest():
                failed.write(text)
                report.failed += 1
    finally:
        failed.close()
    out.flush()
    return report.summary(opts.queue, interrupted)
