"""One-shot commands run on a synchronous client with no event loop: the same deadline, retries,
signals and exit codes as the asyncio path that batches, watch and listen keep."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.api.test_client_limits import assert_timed_out, list_with_timeout_1, raw_server
from tests.conftest import clean_env

DISCUE = Path(sys.executable).with_name("discue")
KEY = "SECRET-test-key-0123456789"


def test_a_stall_after_part_of_a_reply_ends_at_the_deadline_not_a_read_timeout_later(cli):
    """The status line at 0.6 s, then silence: each socket wait is capped by what is left of
    --timeout, so the call ends at 1 s (httpx's own read timeout would restart and end at 1.6 s)."""

    def stall(conn: socket.socket) -> None:
        time.sleep(0.6)
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        time.sleep(5)

    with raw_server(stall) as port:
        result, elapsed = list_with_timeout_1(cli, port)
    assert_timed_out(result, port)
    assert 0.9 < elapsed < 1.45


def test_retries_sleep_without_an_event_loop(cli, setup):
    """503 three times then 200: the one-shot client waits between tries (time.sleep) and succeeds."""
    answers = [httpx.Response(503), httpx.Response(503), httpx.Response(200, json={"queues": [{"id": "q1"}]})]
    setup.transport = httpx.MockTransport(lambda request: answers.pop(0))
    started = time.monotonic()
    result = cli("--api-endpoint", "http://api.test/v1", "--api-key", KEY, "queues", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "q1\t\n", "")
    assert time.monotonic() - started >= 0.5  # two waits of at least 0.25 s and 0.5 s (equal jitter)
    assert answers == []


def test_one_shot_commands_take_the_synchronous_client_and_loops_the_asyncio_one(monkeypatch, cli, setup):
    from discue_cli.api import client as client_module

    made: list[bool] = []
    original = client_module.Client.__init__

    def recording(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self.sync)

    monkeypatch.setattr(client_module.Client, "__init__", recording)
    setup.transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"queues": []}))
    assert cli("--api-endpoint", "http://api.test/v1", "--api-key", KEY, "queues", "list").exit_code == 0
    assert cli("--local", "queues", "list").exit_code == 0  # the in-process app is async
    assert made == [True, False]


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


def test_sigterm_ends_the_run_even_when_the_stop_it_raised_is_swallowed():
    """A raise from a signal handler can land in a finalizer and be lost: a watchdog ends it in 2 s."""
    program = (
        "import sys, time\n"
        "from discue_cli.commands._common import terminate_raises\n"
        "with terminate_raises():\n"
        "    while True:\n"
        "        try:\n"
        "            print('ready', flush=True)  # inside the try: the signal may come at once\n"
        "            time.sleep(10)\n"
        "        except Exception:\n"
        "            pass  # what a finalizer does with an exception: it is lost\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", program], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env()
    )
    assert process.stdout.readline() == "ready\n"
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=10)
    assert (process.returncode, stderr) == (143, "Interrupted.\n")
    assert 1.5 < time.monotonic() - started < 5
