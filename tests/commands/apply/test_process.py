"""`discue apply` as a process: on a real terminal (pty), and stopped by Ctrl-C part-way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.conftest import clean_env

DISCUE = Path(sys.executable).parent / "discue"
FILE = """\
[[queues]]
name = "a"

  [[queues.listeners]]
  name = "l"
  notify_url = "https://a.example/n"
  liveness_url = "https://a.example/l"

[[queues]]
name = "much-longer-name"
"""


def read_all(fd: int) -> bytes:
    data = b""
    try:
        while chunk := os.read(fd, 4096):
            data += chunk
    except OSError:  # the pty's other side closed
        pass
    return data


def test_on_a_real_terminal_the_plan_is_colored_and_aligned(tmp_path):
    import pty

    (tmp_path / "discue.toml").write_text(FILE)
    env = clean_env(DISCUE_LOCAL="1", DISCUE_LOCAL_DB=str(tmp_path / "db.sqlite3"), COLUMNS="100")
    env.pop("NO_COLOR", None)
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [str(DISCUE), "apply", "--dry-run"], stdin=terminal, stdout=terminal, stderr=terminal, env=env, cwd=tmp_path
    )
    os.close(terminal)
    assert process.wait(timeout=20) == 0
    shown = read_all(controller).replace(b"\r\n", b"\n").decode()
    os.close(controller)
    assert shown.splitlines()[:3] == [
        "\x1b[1;32m+\x1b[0m \x1b[32mqueue   \x1b[0m a",
        "\x1b[1;32m+\x1b[0m \x1b[32mlistener\x1b[0m a/l",
        "\x1b[1;32m+\x1b[0m \x1b[32mqueue   \x1b[0m much-longer-name",
    ]
    assert shown.endswith("Plan: 3 to add, 0 to change, 0 to delete. Nothing changed (--dry-run).\n")


class HangingApi(BaseHTTPRequestHandler):
    """One existing queue 'a'; adding a listener works; creating a queue never answers (until released)."""

    received = threading.Event()
    release = threading.Event()

    def log_message(self, *args: object) -> None:
        pass

    def reply(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        replies = {
            "/v1/queues": {"queues": [{"id": "Q1", "name": "a"}]},
            "/v1/queues/Q1": {"queue": {"id": "Q1", "name": "a"}},
            "/v1/queues/Q1/listeners": {"listeners": []},
        }
        self.reply(replies[self.path.partition("?")[0]])

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/v1/queues":
            HangingApi.received.set()
            HangingApi.release.wait(20)
            return
        self.reply({"listener": {"id": "L1", "name": "l"}})


def test_ctrl_c_part_way_says_what_was_applied_and_exits_130(tmp_path):
    (tmp_path / "discue.toml").write_text(FILE)
    server = ThreadingHTTPServer(("127.0.0.1", 0), HangingApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}/v1"
    process = subprocess.Popen(
        [str(DISCUE), "--api-endpoint", endpoint, "--api-key", "k" * 20, "apply"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
        cwd=tmp_path,
    )
    try:
        assert HangingApi.received.wait(20), "the queue was never asked for"
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        HangingApi.release.set()
        server.shutdown()
        server.server_close()
    assert process.returncode == 130
    assert stdout == "+ listener a/l\n"
    assert stderr == (
        "Interrupted during (it may or may not have been applied): + queue much-longer-name\n"
        "Applied 1 of 2 change(s); run `discue apply` again to complete the rest.\n"
        "Interrupted.\n"
    )


def test_a_reader_that_went_away_does_not_stop_the_apply_half_way(tmp_path):
    """`discue apply | head -1` must not leave the server half applied: the writes go on, quietly."""
    (tmp_path / "discue.toml").write_text(FILE)
    env = clean_env(DISCUE_LOCAL="1", DISCUE_LOCAL_DB=str(tmp_path / "db.sqlite3"))
    reader, writer = os.pipe()
    os.close(reader)  # every write to stdout now fails with EPIPE
    try:
        process = subprocess.run(
            [str(DISCUE), "apply"], stdout=writer, stderr=subprocess.PIPE, env=env, cwd=tmp_path, timeout=20, text=True
        )
    finally:
        os.close(writer)
    assert (process.returncode, process.stderr) == (0, "Applied: 3 added, 0 changed, 0 deleted.\n")
    check = subprocess.run([str(DISCUE), "apply", "--check"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert (check.returncode, check.stdout, check.stderr) == (0, "", "No changes.\n")
