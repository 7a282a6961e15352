"""`discue listen` hardened: only the secret path delivers, bodies are capped, a stop is prompt whatever the
forward target does, a listener left by a killed run is removed by the next, a delivery the server gave up
on is said, and --json on a terminal escapes what a terminal would act on."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import threading
import time

import httpx
import pytest

from discue_cli.commands.listen import ListenOptions
from discue_cli.emulator.server import ServeOptions
from discue_cli.listen.receiver import BODY_CAP
from discue_cli.listen.state import state_path
from tests.commands.listen.test_listen import read_line
from tests.conftest import start_server
from tests.emulator.test_delivery import FAST, Api


@pytest.fixture
def delivering(tmp_path):
    servers = []

    def start(*options: str):
        servers.append(start_server(tmp_path / "listen.sqlite3", *(options or FAST), "--log-level", "debug"))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


class Silent:
    """A forward target that accepts connections, reads each request's head and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        self.accepted = threading.Event()
        self.requested = threading.Event()  # a request's head has arrived whole
        self.held: list[socket.socket] = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            self.accepted.set()
            threading.Thread(target=self.read_head, args=(conn,), daemon=True).start()

    def read_head(self, conn: socket.socket) -> None:
        head = b""
        try:
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                head += chunk
        except OSError:
            return
        self.requested.set()

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture
def silent():
    target = Silent()
    yield target
    target.close()


def notify_url(api: Api, queue_id: str, listener_id: str) -> str:
    return api.client.get(f"/queues/{queue_id}/listeners/{listener_id}").json()["listener"]["notify_url"]


def test_only_the_secret_notify_path_delivers_and_bodies_are_capped(delivering, running):
    server = delivering()
    api = Api(server)
    queue_id = api.queue("orders")
    listening = running(server, "orders")
    secret_url = notify_url(api, queue_id, listening.listener_id)
    forged = {"message_id": "forged", "queue_id": queue_id, "data": "pay me", "attempt": 1}
    with httpx.Client(timeout=10) as http:
        for path in ("/notify", "/x/notify", "/live", "/", secret_url.removeprefix(listening.base) + "x"):
            assert http.post(listening.base + path, json=forged).status_code == 404, path
        assert http.get(listening.base + "/live").status_code == 404
        assert http.get(secret_url.removesuffix("/notify") + "/live").status_code == 200
        huge = b'{"data":"' + b"x" * BODY_CAP + b'"}'
        assert http.post(secret_url, content=huge, headers={"Content-Type": "application/json"}).status_code == 413

        def chunks():
            yield b'{"data":"'
            for _ in range(BODY_CAP // 65536 + 2):
                yield b"x" * 65536

        assert http.post(secret_url, content=chunks()).status_code == 413  # no Content-Length to go by
    message_id = api.message(queue_id, "real")
    assert json.loads(listening.next())["message_id"] == message_id  # the first line: nothing forged was printed
    assert listening.stop() == 0
    assert listening.rest("stdout") == ""
    assert listening.rest("stderr") == f"Removed listener {listening.name} ({listening.listener_id}).\n"


def test_ctrl_c_ends_it_within_2s_while_a_forward_waits_on_a_target_that_never_answers(delivering, running, silent):
    server = delivering()
    api = Api(server)
    queue_id = api.queue("orders")
    listening = running(server, "orders", "--forward-to", silent.url, "--forward-timeout", "60")
    api.message(queue_id, "stuck")
    assert silent.accepted.wait(15)
    assert silent.requested.wait(15)  # the request is with the target, which holds it
    started = time.monotonic()
    listening.process.send_signal(signal.SIGINT)
    assert listening.process.wait(timeout=15) == 0
    assert time.monotonic() - started < 2.0
    stderr = listening.rest("stderr")
    assert stderr == f"Removed listener {listening.name} ({listening.listener_id}).\n"


def test_the_forward_timeout_sits_below_the_servers_delivery_timeout_by_default():
    assert ListenOptions("q", "n").forward_timeout < ServeOptions().delivery_timeout


def test_a_forward_that_times_out_answers_504_before_the_server_gives_up_on_the_attempt(delivering, running, silent):
    server = delivering("--retry-base", "0.1", "--max-attempts", "1", "--delivery-timeout", "3")
    api = Api(server)
    queue_id = api.queue("orders")
    listening = running(server, "orders", "--forward-to", silent.url, "--forward-timeout", "1")
    message_id = api.message(queue_id, "slow app")
    line = json.loads(listening.next(timeout=15))
    assert (line["message_id"], line["_forward"]) == (message_id, {"status": 504, "error": "no answer within 1s"})
    assert listening.stop() == 0
    server.stop()
    log = server.process.stderr.read()
    assert f"deliver {listening.name} message {message_id} attempt 1: 504 (missed)" in log


def test_a_listener_left_by_a_killed_listen_is_removed_by_the_next_one(delivering, running):
    server = delivering("--no-deliver")
    api = Api(server)
    queue_id = api.queue("orders")
    killed = running(server, "orders")
    record = state_path()
    assert stat.S_IMODE(os.stat(record).st_mode) == 0o600
    killed.process.kill()
    killed.process.wait(timeout=10)
    listening = running(server, "orders")
    assert listening.before == [
        f"Removed listener {killed.name} ({killed.listener_id}), left behind by an earlier `discue listen` "
        f"(pid {killed.process.pid}) that ended without removing it.\n"
    ]
    listed = api.client.get(f"/queues/{queue_id}/listeners").json()["listeners"]
    assert [item["id"] for item in listed] == [listening.listener_id]
    assert listening.stop() == 0
    assert json.loads(record.read_text()) == []
    assert listening.rest("stderr") == f"Removed listener {listening.name} ({listening.listener_id}).\n"


def test_a_listener_of_a_run_still_going_is_left_alone(delivering, running):
    server = delivering("--no-deliver")
    api = Api(server)
    queue_id = api.queue("orders")
    first = running(server, "orders")
    second = running(server, "orders")
    assert second.before == []
    listed = api.client.get(f"/queues/{queue_id}/listeners").json()["listeners"]
    assert sorted(item["id"] for item in listed) == sorted([first.listener_id, second.listener_id])


def test_it_says_when_the_server_gave_up_on_a_delivery(delivering, running, hook):
    server = delivering()  # three attempts, 0.1 s apart at first
    api = Api(server)
    queue_id = api.queue("orders")
    hook.script = [500, 500, 500]
    listening = running(server, "orders", "--forward-to", hook.url + "/hook")
    message_id = api.message(queue_id, "doomed")
    assert [json.loads(listening.next())["attempt"] for _ in range(3)] == [1, 2, 3]
    warning = listening.next("stderr", timeout=15)
    assert warning == f"Warning: the server gave up on message {message_id} after attempt 3 (answered here: 500)\n"
    assert listening.stop() == 0
    assert listening.rest("stderr") == f"Removed listener {listening.name} ({listening.listener_id}).\n"


def test_json_on_a_terminal_escapes_what_a_terminal_acts_on(delivering, running):
    import pty

    server = delivering()
    api = Api(server)
    queue_id = api.queue("orders")
    controller, terminal = pty.openpty()
    try:
        listening = running(server, "orders", "--json", stdout=terminal)
        os.close(terminal)
        data = "red \x1b[31m \u009b2J \u202e \u2028 end"
        message_id = api.message(queue_id, data)
        line = read_line(controller)
        assert not re.search("[\x1b\u009b\u202e\u2028]", line), repr(line)
        assert "\\u001b[31m \\u009b2J \\u202e \\u2028 end" in line
        assert json.loads(line)["data"] == data
        assert json.loads(line)["message_id"] == message_id
        assert listening.stop() == 0
    finally:
        os.close(controller)


def test_json_piped_is_the_body_unchanged(delivering, running):
    server = delivering()
    api = Api(server)
    queue_id = api.queue("orders")
    listening = running(server, "orders", "--json")
    api.message(queue_id, "bidi \u202e")
    assert "\u202e" in listening.next()
    assert listening.stop() == 0


def test_an_unreadable_record_file_is_ignored(delivering, running):
    server = delivering("--no-deliver")
    api = Api(server)
    api.queue("orders")
    path = state_path()
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    listening = running(server, "orders")
    assert listening.before == []
    assert listening.stop() == 0
    assert listening.rest("stderr") == f"Removed listener {listening.name} ({listening.listener_id}).\n"
