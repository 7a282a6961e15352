"""The local discue delivers: real HTTP listeners on 127.0.0.1 that the tests start and steer."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.conftest import start_server

# These tests pin the May 2022 shapes (the listener's last_failure_* fields among them).
pytestmark = pytest.mark.usefixtures("gen_2022")

DISCUE = Path(sys.executable).with_name("discue")
FAST = ("--retry-base", "0.1", "--max-attempts", "3", "--liveness-interval", "0.2", "--delivery-timeout", "1")


class Listener:
    """A webhook: records every POST; answers with the scripted statuses, then 200."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.script: list[int] = []
        self.live = True
        self.lock = threading.Lock()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with listener.lock:
                    status = listener.script.pop(0) if listener.script else 200
                    listener.received.append({**body, "status": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):
                self.send_response(200 if listener.live else 503)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def acked(self) -> list[str]:
        with self.lock:
            return [r["message_id"] for r in self.received if 200 <= r["status"] < 300]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_until(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def listeners():
    made: list[Listener] = []

    def make() -> Listener:
        made.append(Listener())
        return made[-1]

    yield make
    for listener in made:
        listener.close()


@pytest.fixture
def delivering(tmp_path):
    servers = []

    def start(*extra: str, db: Path | None = None):
        servers.append(start_server(db or tmp_path / "deliver.sqlite3", *FAST, *extra))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


class Api:
    def __init__(self, served):
        self.client = httpx.Client(base_url=served.endpoint, headers={"X-API-KEY": served.key}, timeout=10)

    def queue(self, name="q") -> str:
        return self.client.post("/queues", json={"name": name}).json()["queue"]["id"]

    def listener(self, queue_id: str, hook: Listener, name: str) -> str:
        body = {"name": name, "notify_url": hook.url + "/notify", "liveness_url": hook.url + "/live"}
        return self.client.post(f"/queues/{queue_id}/listeners", json=body).json()["listener"]["id"]

    def message(self, queue_id: str, data: str) -> str:
        return self.client.post(f"/queues/{queue_id}/messages", json={"data": data}).json()["message"]["id"]

    def figures(self, queue_id: str, listener_id: str) -> dict:
        return self.client.get(f"/queues/{queue_id}/listeners/{listener_id}").json()["listener"]

    def settled(self, queue_id: str, listener_id: str, acknowledged: int) -> dict:
        """Wait until the server has recorded `acknowledged` acknowledgements: no attempt follows those."""
        return wait_until(
            lambda: (f := self.figures(queue_id, listener_id)["messages"])["acknowledged_count"] == acknowledged
            and f
        )


def test_every_listener_gets_the_message_once(delivering, listeners):
    server = delivering()
    api = Api(server)
    first, second = listeners(), listeners()
    queue_id = api.queue()
    first_id, second_id = api.listener(queue_id, first, "a"), api.listener(queue_id, second, "b")
    message_id = api.message(queue_id, '{"userId": "481512342"}')
    wait_until(lambda: first.acked() and second.acked())
    for listener_id in (first_id, second_id):  # recorded, so no further attempt: what arrived is all
        api.settled(queue_id, listener_id, 1)
    for hook, listener_id in ((first, first_id), (second, second_id)):
        assert hook.received == [
            {
                "message_id": message_id,
                "queue_id": queue_id,
                "listener_id": listener_id,
                "data": '{"userId": "481512342"}',
                "attempt": 1,
                "status": 200,
            }
        ]
        figures = wait_until(
            lambda lid=listener_id: (f := api.figures(queue_id, lid))["messages"]["acknowledged_count"] and f
        )
        assert figures["messages"]["acknowledged_count"] == 1 and figures["messages"]["missed"] == []


def test_a_listener_created_after_a_message_does_not_get_it(delivering, listeners):
    server = delivering()
    api = Api(server)
    early, late = listeners(), listeners()
    queue_id = api.queue()
    early_id = api.listener(queue_id, early, "early")
    before = api.message(queue_id, "before")
    late_id = api.listener(queue_id, late, "late")
    after = api.message(queue_id, "after")
    wait_until(lambda: len(early.acked()) == 2 and len(late.acked()) == 1)
    api.settled(queue_id, early_id, 2)
    api.settled(queue_id, late_id, 1)
    assert sorted(early.acked()) == sorted([before, after])
    assert late.acked() == [after]


def test_fails_twice_then_succeeds_is_acknowledged_exactly_once(delivering, listeners):
    server = delivering()
    api = Api(server)
    hook = listeners()
    hook.script = [500, 503]
    queue_id = api.queue()
    listener_id = api.listener(queue_id, hook, "flaky")
    message_id = api.message(queue_id, "retry me")
    wait_until(lambda: hook.acked())
    figures = api.settled(queue_id, listener_id, 1)
    assert [(r["attempt"], r["status"]) for r in hook.received] == [(1, 500), (2, 503), (3, 200)]
    assert hook.acked() == [message_id]
    assert (figures["acknowledged_count"], figures["missed_count"]) == (1, 0)
    assert figures["last_failure_at"] and figures["last_success_at"]


def test_a_dead_listener_ends_up_with_the_message_missed(delivering, listeners):
    server = delivering()
    api = Api(server)
    hook = listeners()
    hook.script = [500] * 10
    queue_id = api.queue()
    listener_id = api.listener(queue_id, hook, "dead")
    message_id = api.message(queue_id, "lost cause")
    figures = wait_until(lambda: (f := api.figures(queue_id, listener_id)["messages"])["missed_count"] and f)
    assert figures["missed"] == [message_id]
    assert len(hook.received) == 3  # --max-attempts 3


def test_one_dead_listener_does_not_hold_up_another(delivering, listeners):
    """A notify URL that accepts connections and never answers, beside a healthy listener."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    server = delivering("--delivery-concurrency", "4")
    api = Api(server)
    healthy = listeners()
    queue_id = api.queue()
    dead_id = api.listener(queue_id, healthy, "dead")
    api.client.put(
        f"/queues/{queue_id}/listeners/{dead_id}",
        json={"notify_url": f"http://127.0.0.1:{silent.getsockname()[1]}/hang"},
    )
    api.listener(queue_id, healthy, "healthy")
    sent = [api.message(queue_id, f"m{i}") for i in range(10)]
    try:
        wait_until(lambda: sorted(healthy.acked()) == sorted(sent), timeout=8)
    finally:
        silent.close()


def test_a_restart_mid_redelivery_resumes_and_completes(delivering, listeners, tmp_path):
    db = tmp_path / "restart.sqlite3"
    hook = listeners()
    hook.script = [503]
    first = delivering("--retry-base", "1.5", db=db)
    api = Api(first)
    queue_id = api.queue()
    listener_id = api.listener(queue_id, hook, "resume")
    message_id = api.message(queue_id, "survive me")
    wait_until(lambda: hook.received)
    assert first.stop() == 0  # stopped while the retry is pending
    assert hook.acked() == []
    second = delivering("--retry-base", "0.1", db=db)
    wait_until(lambda: hook.acked(), timeout=15)
    Api(second).settled(queue_id, listener_id, 1)
    assert hook.acked() == [message_id]
    assert [r["attempt"] for r in hook.received] == [1, 2]
    second.stop()


def test_liveness_flips_with_the_listener(delivering, listeners):
    server = delivering()
    api = Api(server)
    hook = listeners()
    queue_id = api.queue()
    listener_id = api.listener(queue_id, hook, "probed")

    def state():
        return api.figures(queue_id, listener_id)["liveness"]

    wait_until(lambda: state()["state"] == "stable")
    hook.live = False
    down = wait_until(lambda: (s := state())["state"] == "unstable" and s)
    assert down["last_failure_status"] == 503 and down["failure_count"] >= 1
    hook.live = True
    up = wait_until(lambda: (s := state())["state"] == "stable" and s)
    assert up["success_count"] >= 2


def test_each_attempt_is_logged_on_the_serve_console_at_debug(delivering, listeners):
    server = delivering("--log-level", "debug")
    api = Api(server)
    hook = listeners()
    hook.script = [500]
    queue_id = api.queue()
    listener_id = api.listener(queue_id, hook, "logged")
    message_id = api.message(queue_id, "x")
    wait_until(lambda: hook.acked())
    api.settled(queue_id, listener_id, 1)  # recorded, and logged in the same step
    server.stop()
    log = server.process.stderr.read()
    assert f"deliver logged message {message_id} attempt 1: 500 (retry in 0.1s)" in log
    assert f"deliver logged message {message_id} attempt 2: 200" in log


def test_listeners_get_shows_figures_on_a_terminal(cli, tty, delivering, listeners):
    server = delivering()
    api = Api(server)
    hook = listeners()
    queue_id = api.queue("shown")
    listener_id = api.listener(queue_id, hook, "hook")
    api.message(queue_id, "x")
    wait_until(lambda: api.figures(queue_id, listener_id)["messages"]["acknowledged_count"])
    result = cli(*server.cli_args(), "listeners", "get", "shown", "hook")
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert lines["messages.acknowledged_count"] == "1"
    assert lines["liveness.state"] in ("stable", "unknown")
    assert lines["messages.last_success_at"].endswith("Z")


def test_messages_watch_prints_new_messages_and_stops_cleanly(served):
    headers = {"X-API-KEY": served.key}
    queue_id = httpx.post(served.endpoint + "/queues", json={"name": "watched"}, headers=headers).json()["queue"]["id"]
    old = httpx.post(f"{served.endpoint}/queues/{queue_id}/messages", json={"data": "old"}, headers=headers)
    env = served.env()
    process = subprocess.Popen(
        [str(DISCUE), "messages", "watch", "watched", "--interval", "0.1", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stderr.readline() == "Watching watched for new messages (Ctrl-C to stop)\n"
    ids = [
        httpx.post(f"{served.endpoint}/queues/{queue_id}/messages", json={"data": d}, headers=headers).json()[
            "message"
        ]["id"]
        for d in ("new-1", "new-2")
    ]
    lines = [json.loads(process.stdout.readline()) for _ in ids]
    assert [m["id"] for m in lines] == ids  # the API's messages are {id, name}: no data to print
    assert old.json()["message"]["id"] not in {m["id"] for m in lines}
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=15)
    assert process.returncode == 0
    assert stdout == ""
    assert stderr == "Stopped watching.\n"
