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


def test_the_check_command_for_lines_of_unknown_outcome_goes_where_the_batch_went(cli, setup, tmp_path):
    """A 500 may come after the message was stored: the line's outcome is unknown, and the command that
    checks carries the run's endpoint flags (without them it would ask another server)."""
    import httpx

    setup.transport = httpx.MockTransport(lambda request: httpx.Response(500, json={"title": "Oops"}))
    (tmp_path / "in.txt").write_text("one\n")
    queue_id = "6f1c1a4e-2f4b-4c1e-9a51-0d6b1c1f2a3b"
    result = cli(
        "--api-endpoint", "http://api.test/v1", "--api-key", "k" * 20, "--timeout", "5",
        "messages", "add", queue_id, "--batch", "in.txt", "-q",
    )  # fmt: skip
    [unknown] = tmp_path.glob("discue-unknown-*.txt")
    assert result.stderr.splitlines()[-1] == (
        f"The lines whose outcome is unknown are in {unknown.resolve()}: the API may have stored them. Check "
        f"with `discue --api-endpoint http://api.test/v1 --timeout 5 messages list {queue_id}` before sending "
        "any of them again."
    )


def test_a_stopped_batch_says_more_lines_were_not_sent_than_it_numbers(cli, setup, tmp_path):
    """Lines never tried (the batch stopped first) count as not sent: the numbered list ends with '…'."""
    import httpx

    def refuse(request):
        raise httpx.ConnectError("Connection refused", request=request)

    setup.transport = httpx.MockTransport(refuse)
    (tmp_path / "in.txt").write_text("".join(f"line-{i}\n" for i in range(40)))
    result = cli(
        "--api-endpoint", "http://api.test/v1", "--api-key", "k" * 20, "--retries", "0",
        "messages", "add", "6f1c1a4e-2f4b-4c1e-9a51-0d6b1c1f2a3b", "--batch", "in.txt", "--concurrency", "2",
    )  # fmt: skip
    assert result.exit_code == 7, result.stderr
    summary = next(line for line in result.stderr.splitlines() if line.startswith("Stopped: sent 0 of 40"))
    assert "; 40 not sent (line 1, 2, 3" in summary and summary.endswith(", …)."), summary


def test_lines_typed_at_a_terminal_are_announced_and_get_no_bar(local, tty):
    """`--batch -` with a person at the keyboard: say how input ends; no bar drawn over the typing."""
    assert local("queues", "create", "typed").exit_code == 0
    result = local("messages", "add", "typed", "--batch", "-", input="one\ntwo\n")
    assert result.exit_code == 0, result.stderr
    err = result.stderr.splitlines()
    assert err[0] == "Reading messages from the terminal, one a line; Ctrl-D ends them."
    assert err[1].startswith("Sent 2 of 2 message(s) to typed") and len(err) == 2
