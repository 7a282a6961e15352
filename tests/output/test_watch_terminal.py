"""`messages watch` on a real terminal (a pty): a message's text from the server is shown escaped, never acted on."""

from __future__ import annotations

import os
import re
import signal
import subprocess

import httpx
import pytest

from discue_cli.output.formats import delivery_line, escape_controls
from discue_cli.output.plan import printable
from tests.commands.test_listen import read_line
from tests.emulator.test_delivery import DISCUE

# An escape sequence, a bell, a C1 CSI, a line separator and a right-to-left override.
EVIL = "red \x1b[31m alert\x07\x9b2J\u2028next\u202eevil"
SHOWN = "red \\x1b[31m alert\\x07\\x9b2J\\u2028next\\u202eevil"


def test_one_escape_serves_watch_listen_and_apply():
    assert escape_controls(EVIL) == SHOWN
    assert escape_controls("a\u2029b\u2066c\u2069") == "a\\u2029b\\u2066c\\u2069"
    assert escape_controls("one\ntwo\u2028", keep_newlines=True) == "one\ntwo\\u2028"
    assert delivery_line({"message_id": "m1", "data": EVIL}, None, terminal=True, when="12:00:00") == (
        f"12:00:00  m1  {SHOWN}"
    )
    assert printable("a\\b\n\u202e") == "a\\\\b\\n\\u202e"  # apply's plan lines: a backslash doubled too


@pytest.mark.parametrize("api_version", ["2023-04", "2024-08"])
def test_a_watched_message_on_a_terminal_is_escaped(tmp_path, api_version):
    import pty

    from tests.conftest import start_server

    served = start_server(tmp_path / "watch.sqlite3", "--no-deliver", "--api-version", api_version)
    api = httpx.Client(base_url=served.endpoint, headers={"X-API-KEY": served.key}, timeout=10)
    controller, terminal = pty.openpty()
    process = None
    try:
        key = "alias" if api_version == "2024-08" else "name"
        queue_id = api.post("/queues", json={key: "watched"}).json()["queue"]["id"]
        process = subprocess.Popen(
            [str(DISCUE), "messages", "watch", "watched", "--interval", "0.1"],
            stdout=terminal,
            stderr=subprocess.PIPE,
            text=True,
            env=served.env(),
        )
        os.close(terminal)
        terminal = None
        assert process.stderr.readline() == "Watching watched for new messages (Ctrl-C to stop)\n"
        message_id = api.post(f"/queues/{queue_id}/messages", json={"data": EVIL}).json()["message"]["id"]
        line = read_line(controller)
        # the API's message is {id, name}: the time it was seen (UTC), its id and its name (none here)
        assert re.fullmatch(rf"\d\d:\d\d:\d\d  {re.escape(message_id)}  \r\n", line), line
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        assert process.stderr.read() == "Stopped watching.\n"
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=5)
        if terminal is not None:
            os.close(terminal)
        os.close(controller)
        served.stop()
