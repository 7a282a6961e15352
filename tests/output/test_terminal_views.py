"""What a person at a terminal sees of big and wide resources: long lists cut to a count, ids never
wrapped or cut at any width, and the same data untouched in TSV and JSON."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import LISTENER_URLS, UUID, clean_env

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")

DISCUE = Path(sys.executable).with_name("discue")
QUEUE_ID = "180994cb-b6b2-4d0e-b7ad-414716e83386"
LISTENER_ID = "0644659f-b47b-4668-86dd-a496cb7fbc76"
MISSED = [str(uuid.UUID(int=i + 1)) for i in range(5000)]


def listener(missed: list[str] = MISSED) -> dict:
    return {
        "id": LISTENER_ID,
        "name": "mailer",
        "liveness": {"state": "stable", "success_count": 1},
        "messages": {"acknowledged_count": 312, "missed": missed, "missed_count": len(missed)},
        "notify_url": "https://myapp.io/deletion/listener",
        "liveness_url": "https://myapp.io/live",
    }


@pytest.fixture
def remote_listener(cli, httpmock):
    def invoke(*args: str, path: str, body: dict, env: dict | None = None):
        httpmock.register("GET", f"/v1{path}", body)
        return cli("--api-key", "k" * 20, *args, env=env)

    return invoke


def test_a_listener_with_5000_missed_messages_shows_ten_ids_and_a_count_on_a_terminal(remote_listener, tty):
    path = f"/queues/{QUEUE_ID}/listeners/{LISTENER_ID}"
    result = remote_listener("listeners", "get", QUEUE_ID, LISTENER_ID, path=path, body={"listener": listener()})
    assert result.exit_code == 0, result.stderr
    pad = " " * 29
    missed = "\n".join(f"{pad}{m}" for m in MISSED[1:10])
    assert result.stdout == (
        f"id                           {LISTENER_ID}\n"
        "name                         mailer\n"
        "liveness.state               stable\n"
        "liveness.success_count       1\n"
        "messages.acknowledged_count  312\n"
        f"messages.missed              {MISSED[0]}\n{missed}\n"
        f"{pad}… and 4,990 more; --json for all\n"
        "messages.missed_count        5000\n"
        "notify_url                   https://myapp.io/deletion/listener\n"
        "liveness_url                 https://myapp.io/live\n"
    )


def test_a_listener_with_5000_missed_messages_is_whole_in_tsv_and_json(remote_listener):
    path = f"/queues/{QUEUE_ID}/listeners/{LISTENER_ID}"
    body = {"listener": listener()}
    piped = remote_listener("listeners", "get", QUEUE_ID, LISTENER_ID, path=path, body=body)
    assert json.loads(piped.stdout.split("\t")[3])["missed"] == MISSED
    # a fresh stub for the second call
    as_json = remote_listener("listeners", "get", QUEUE_ID, LISTENER_ID, "--json", path=path, body=body)
    assert json.loads(as_json.stdout) == body


def test_an_embedded_listing_shows_three_ids_and_a_count_per_cell(remote_listener, tty):
    body = {"listeners": [{"id": LISTENER_ID, "name": "mailer"}], "_embedded": {"listeners": [listener()]}}
    path = f"/queues/{QUEUE_ID}/listeners"
    result = remote_listener("listeners", "list", QUEUE_ID, "--embed", path=path, body=body, env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert (
        f"missed={MISSED[0]}, {MISSED[1]}, {MISSED[2]}, … and 4,997 more; --json for all, missed_count=5000" in lines[1]
    )


def test_at_60_columns_the_key_value_view_wraps_keys_not_ids(remote_listener, tty):
    path = f"/queues/{QUEUE_ID}/listeners/{LISTENER_ID}"
    body = {"listener": {**listener(MISSED[:2]), "queue_id": QUEUE_ID}}
    result = remote_listener("listeners", "get", QUEUE_ID, LISTENER_ID, path=path, body=body, env={"COLUMNS": "60"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 60
    shown_ids = [m.group(0) for line in lines for m in [UUID.search(line)] if m]
    assert shown_ids == [LISTENER_ID, *MISSED[:2], QUEUE_ID]
    assert "liveness.success_coun" in result.stdout  # the long keys gave way instead


def test_at_60_columns_a_wide_listing_keeps_its_ids_and_leaves_out_what_does_not_fit(remote_listener, tty):
    wide = {**listener(MISSED[:1]), "queue_id": QUEUE_ID}
    body = {"listeners": [{"id": LISTENER_ID, "name": "mailer"}], "_embedded": {"listeners": [wide]}}
    path = f"/queues/{QUEUE_ID}/listeners"
    result = remote_listener("listeners", "list", QUEUE_ID, "--embed", path=path, body=body, env={"COLUMNS": "60"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines == [
        "ID                                    NAME    LIVENESS",
        f"{LISTENER_ID}  mailer  state=stable,…",
    ]
    assert result.stderr == (
        "Not shown at this width: messages, notify_url, liveness_url, queue_id (--json or a pipe shows every field).\n"
    )


def read_until_exit(controller: int, process: subprocess.Popen) -> bytes:
    seen = b""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    process.wait(timeout=10)
    return seen


def test_on_a_real_60_column_terminal_no_id_is_wrapped(tmp_path):
    env = clean_env(
        DISCUE_LOCAL="1", DISCUE_LOCAL_DB=str(tmp_path / "pty.sqlite3"), DISCUE_CONFIG=str(tmp_path / "c.toml")
    )
    env.pop("COLUMNS", None)  # the terminal's own size decides
    subprocess.run([str(DISCUE), "queues", "create", "orders"], env=env, capture_output=True, check=True)
    added = subprocess.run(
        [str(DISCUE), "listeners", "add", "orders", "mailer", *LISTENER_URLS, "-q"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 60, 0, 0))
    process = subprocess.Popen(
        [str(DISCUE), "listeners", "get", "orders", "mailer"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        close_fds=True,
    )
    os.close(terminal)
    shown = read_until_exit(controller, process).decode().replace("\r", "")
    os.close(controller)
    assert process.returncode == 0
    assert max(len(line) for line in shown.splitlines()) <= 60
    assert f"id{' ' * 20}{added.stdout.strip()}\n" in shown or f"  {added.stdout.strip()}\n" in shown
    assert len(UUID.findall(shown)) == 1  # the listener's id, whole (the API's listener names no queue)
