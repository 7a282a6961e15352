"""One-shot commands run on the one client shape (httpx.AsyncClient under asyncio): the whole-call
deadline, retries, signals and exit codes."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.api.test_client_limits import raw_server
from tests.conftest import clean_env

DISCUE = Path(sys.executable).with_name("discue")
KEY = "SECRET-test-key-0123456789"


def test_a_stall_after_part_of_a_reply_ends_at_the_deadline_not_a_read_timeout_later(cli):
    """The status line at 0.6 s, then silence: the call's deadline cancels the wait, so the call ends
    at 1 s (httpx's own read timeout would restart and end at 1.6 s)."""

    def stall(conn: socket.socket) -> None:
        time.sleep(0.6)
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        time.sleep(5)

    with raw_server(stall) as port:
        result = cli("--api-endpoint", f"http://127.0.0.1:{port}/v1", "--api-key", KEY, "--timeout", "1", "-v",
                     "queues", "list")  # fmt: skip
    assert result.exit_code == 7
    exchange, error = result.stderr.splitlines()[-3:-1]
    assert error == f"Error: no response from http://127.0.0.1:{port} within 1s (timeout)"
    # The call's own time, as -v shows it (the run's start-up is no part of --timeout)
    took = re.fullmatch(rf"GET http://127\.0\.0\.1:{port}/v1/queues TimeoutError (\d+)ms", exchange)
    assert took and 900 < int(took[1]) < 1450, exchange


def test_retries_wait_and_succeed(cli, setup):
    """503 twice then 200: the client waits between tries and succeeds."""
    answers = [httpx.Response(503), httpx.Response(503), httpx.Response(200, json={"queues": [{"id": "q1"}]})]
    setup.transport = httpx.MockTransport(lambda request: answers.pop(0))
    started = time.monotonic()
    result = cli("--api-endpoint", "http://api.test/v1", "--api-key", KEY, "queues", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "q1\t\n", "")
    assert time.monotonic() - started >= 0.5  # two waits of at least 0.25 s and 0.5 s (equal jitter)
    assert answers == []


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_a_waiting_one_shot_command_cleanly(sig, code):
    """A server that never answers: Ctrl-C is exit 130, SIGTERM 143, one line, no traceback."""
    connected = threading.Event()

    def hang(conn: socket.socket) -> None:
        connected.set()
        time.sleep(10)

    with raw_server(hang) as port:
        env = clean_env(DISCUE_API_ENDPOINT=f"http://127.0.0.1:{port}/v1", DISCUE_API_KEY=KEY)
        process = subprocess.Popen(
            [str(DISCUE), "queues", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
        )
        assert connected.wait(timeout=10)
        process.send_signal(sig)
        stdout, stderr = process.communicate(timeout=10)
    assert (process.returncode, stdout, stderr) == (code, "", "Interrupted.\n")
