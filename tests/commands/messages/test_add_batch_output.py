"""--batch output: ids reach a pipe's reader as lines are acknowledged, a terminal's bar never shares a
line with them, and replies held for in-order output are bounded."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import select
import subprocess
import sys
from pathlib import Path

import httpx

from discue_cli.api.batch import MIN_WINDOW, send_batch
from discue_cli.api.client import Client
from discue_cli.commands._input import LineSource
from tests.commands.messages.test_add_batch_signals import make_queue

DISCUE = Path(sys.executable).with_name("discue")


def test_a_pipe_reader_gets_the_first_id_while_the_input_is_still_open(served, tmp_path):
    """`tail -f log | discue messages add Q --batch - -q > ids`: the id arrives without waiting for the end."""
    make_queue(served)
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [str(DISCUE), "messages", "add", "big", "--batch", "-", "-q"],
        stdin=read_end,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={k: v for k, v in served.env().items() if k != "PYTHONUNBUFFERED"},  # a user's stdout: block-buffered
        cwd=tmp_path,
    )
    os.close(read_end)
    try:
        os.write(write_end, b"first\n")  # and the input stays open
        ready, _, _ = select.select([process.stdout], [], [], 20)
        assert ready, "no id within 20 s while the input was open"
        first = process.stdout.readline()
        assert len(first.strip()) > 0
    finally:
        os.close(write_end)
    stdout, stderr = process.communicate(timeout=30)
    assert (process.returncode, stdout, stderr) == (0, b"", b"")


class Bar:
    running = True

    def __init__(self) -> None:
        self.printed: list[str] = []

    def print(self, text: str) -> None:
        self.printed.append(text)

    def advance(self, count: int = 1, rate: float = 0.0, in_flight: int | None = None) -> None:
        pass


def test_on_a_terminal_ids_go_above_the_bar_never_onto_its_line(monkeypatch):
    """stdout and stderr on one terminal: an id goes through the bar's console (as rich's own stdout
    redirection does), never onto the line the bar is drawn on."""
    from discue_cli.api import Reply
    from discue_cli.api.batch import LineResult
    from discue_cli.commands import _batch
    from discue_cli.commands._batch import BatchReport, FailedLines
    from discue_cli.output import IOStreams, Output, OutputFormat

    monkeypatch.setattr(_batch, "same_terminal", lambda out: True)

    stdout = io.StringIO()
    streams = IOStreams(io.BytesIO(), stdout, io.StringIO(), stdin_tty=True, stdout_tty=True, stderr_tty=True)
    out = Output(streams, OutputFormat(quiet=True))
    bar = Bar()
    report = BatchReport(out, FailedLines(), bar)
    item = LineResult(0, 1, "x", b"x\n", reply=Reply.one({"message": {"id": "m1"}}, "message"))
    report.on_result(item)
    assert (bar.printed, stdout.getvalue()) == (["m1"], "")


def test_replies_held_behind_a_stalled_line_are_bounded():
    """The first line's reply stalls: the others go on only until the window behind it is full."""
    lines = 3000
    seen = 0
    all_seen = asyncio.Event()
    at_release: list[int] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal seen
        seen += 1
        if seen == lines:
            all_seen.set()
        if b'"line-0"' in request.content:
            with contextlib.suppress(TimeoutError):  # until every line was sent (no window), or 3 s pass
                await asyncio.wait_for(all_seen.wait(), 3)
            at_release.append(seen)
        return httpx.Response(201, json={"message": {"id": "m"}})

    source = LineSource(io.BytesIO(b"".join(b"line-%d\n" % i for i in range(lines))))
    results = []

    async def go() -> None:
        async with Client("http://api.test/v1", "k" * 20, transport=httpx.MockTransport(answer)) as client:
            await send_batch(client, "q", source, 8, results.append)

    asyncio.run(asyncio.wait_for(go(), 60))
    assert len(results) == lines
    assert at_release[0] <= MIN_WINDOW + 8
