"""`discue listen` against the served local discue (deliveries on) and a real HTTP app on 127.0.0.1."""

from __future__ import annotations

import json
import os
import queue
import re
import select
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from discue_cli.output.formats import delivery_line, escape_controls
from tests.conftest import start_server
from tests.emulator.test_delivery import DISCUE, FAST, Api

QUEUE_ID = "180994c0-b6b2-4d0e-b7ad-414716e83386"
LISTENER_ID = "36a650fc-9594-47d3-9c36-26b89b464858"


class Listening:
    """`discue listen` in a subprocess; its output read line by line, each read with a deadline."""

    def __init__(self, served, *args: str, stdout: int | None = None):
        command = [str(DISCUE), *served.cli_args(), "listen", *args]
        piped = stdout is None
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE if piped else stdout, stderr=subprocess.PIPE, text=True
        )
        self.lines: dict[str, queue.Queue] = {"stdout": queue.Queue(), "stderr": queue.Queue()}
        self.readers = [self._read("stderr")] + ([self._read("stdout")] if piped else [])
        ready = [self.next("stderr"), self.next("stderr")]
        while not ready[-1].startswith("Ready."):
            ready.append(self.next("stderr"))
        self.banner = ready[next(i for i, line in enumerate(ready) if line.startswith("Listening on ")) :]
        self.before = ready[: len(ready) - len(self.banner)]  # lines said before the listener was added
        found = re.match(r"Listening on (\S+) for queue \S+ \(listener (\S+), (\S+)\)\n", self.banner[0])
        assert found, ready
        self.base, self.name, self.listener_id = found.groups()

    def _read(self, name: str) -> threading.Thread:
        def pump() -> None:
            for line in getattr(self.process, name):
                self.lines[name].put(line)
            self.lines[name].put(None)

        thread = threading.Thread(target=pump, daemon=True)
        thread.start()
        return thread

    def next(self, name: str = "stdout", timeout: float = 10.0) -> str:
        line = self.lines[name].get(timeout=timeout)
        assert line is not None, f"{name} closed; stderr: {self.rest('stderr')}"
        return line

    def rest(self, name: str) -> str:
        """Everything still to come on a stream (call once the process has ended)."""
        self.process.wait(timeout=15)
        for thread in self.readers:
            thread.join(timeout=5)
        lines = []
        while (line := self.lines[name].get(timeout=5)) is not None:
            lines.append(line)
        return "".join(lines)

    def stop(self, sig: int = signal.SIGINT) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=15)


@pytest.fixture
def delivering(tmp_path):
    servers = []

    def start():
        servers.append(start_server(tmp_path / "listen.sqlite3", *FAST, "--log-level", "debug"))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_line(fd: int, timeout: float = 10.0) -> str:
    """One line from a file descriptor (a pipe or a pty), waiting at most `timeout` seconds."""
    seen = b""
    deadline = time.monotonic() + timeout
    while not seen.endswith(b"\n") and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            seen += os.read(fd, 1)
    assert seen.endswith(b"\n"), seen
    return seen.decode()


# -- before anything starts


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--forward-to", "ftp://127.0.0.1/hook", "--forward-to: 'ftp://127.0.0.1/hook' is not an http(s) URL"),
        ("--forward-to", "localhost:3000", "--forward-to: 'localhost:3000' is not an http(s) URL"),
        ("--public-url", "tunnel.example", "--public-url: 'tunnel.example' is not an http(s) URL"),
        ("--public-url", "https://t.example/?a=1", "--public-url: 'https://t.example/?a=1' must not carry a query"),
    ],
)
def test_a_url_that_is_not_http_exits_2_before_any_request(cli, httpmock, option, value, message):
    result = cli("--api-key", "k" * 20, "listen", "q", option, value)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"Error: {message}")
    assert httpmock.requests == []


def test_an_unknown_queue_exits_4_before_anything_starts(cli, httpmock):
    httpmock.register("GET", "/v1/queues", {"queues": [{"id": QUEUE_ID, "name": "other"}]})
    result = cli("--api-key", "k" * 20, "listen", "nope")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr == "Error: no queue named 'nope'\nHint: `discue queues list` shows the queues\n"


def test_a_busy_port_exits_2_and_adds_no_listener(cli, httpmock):
    httpmock.register("GET", "/v1/queues", {"queues": [{"id": QUEUE_ID, "name": "q"}]})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = cli("--api-key", "k" * 20, "listen", "q", "--port", str(port))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    # httpmock fails the test on any request beyond the queue lookup: no listener was added


# -- deliveries


def test_every_delivery_is_printed_once_and_sigterm_removes_the_listener(delivering, running):
    server = delivering()
    api = Api(server)
    queue_id = api.queue("orders")
    listening = running(server, "orders")
    assert listening.name == f"discue-listen-{socket.gethostname()}-{listening.process.pid}"
    assert listening.banner[1:] == ["Ready. Ctrl-C to stop and remove the listener.\n"]
    listed = api.client.get(f"/queues/{queue_id}/listeners/{listening.listener_id}").json()["listener"]
    secret = listed["notify_url"].removeprefix(listening.base + "/").removesuffix("/notify")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", secret), listed["notify_url"]
    assert (listed["notify_url"], listed["liveness_url"]) == (
        f"{listening.base}/{secret}/notify",
        f"{listening.base}/{secret}/live",
    )
    sent = {api.message(queue_id, data): data for data in ("one", '{"userId": "481512342"}', "three\nlines")}
    printed = [json.loads(listening.next()) for _ in sent]
    assert sorted(printed, key=lambda body: body["message_id"]) == [
        {"message_id": mid, "queue_id": queue_id, "listener_id": listening.listener_id, "data": data, "attempt": 1}
        for mid, data in sorted(sent.items())
    ]
    assert listening.stop(signal.SIGTERM) == 0
    assert listening.rest("stdout") == ""  # nothing printed twice
    assert listening.rest("stderr") == f"Removed listener {listening.name} ({listening.listener_id}).\n"
    assert api.client.get(f"/queues/{queue_id}/listeners").json()["listeners"] == []


def test_forwarding_answers_with_the_apps_status_so_a_failure_is_redelivered(delivering, running, hook):
    server = delivering()
    api = Api(server)
    queue_id = api.queue("orders")
    hook.script = [500]
    listening = running(server, "orders", "--forward-to", hook.url + "/hook")
    assert listening.banner[1] == f"Forwarding each delivery to {hook.url}/hook\n"
    message_id = api.message(queue_id, "retry me")
    first, second = json.loads(listening.next()), json.loads(listening.next())
    assert (first["message_id"], first["attempt"], first["_forward"]) == (message_id, 1, {"status": 500})
    assert (second["message_id"], second["attempt"], second["_forward"]) == (message_id, 2, {"status": 200})
    assert [(r["message_id"], r["attempt"], r["status"]) for r in hook.received] == [
        (message_id, 1, 500),
        (message_id, 2, 200),
    ]
    assert hook.received[0]["data"] == "retry me"
    assert listening.stop(signal.SIGINT) == 0
    assert listening.rest("stdout") == ""
    assert api.client.get(f"/queues/{queue_id}/listeners").json()["listeners"] == []


def test_a_forward_target_that_is_down_shows_on_the_line_and_the_server_gets_502(delivering, running):
    server = delivering()
    api = Api(server)
    queue_id = api.queue("orders")
    listening = running(server, "orders", "--forward-to", f"http://127.0.0.1:{free_port()}/hook")
    message_id = api.message(queue_id, "nobody home")
    for attempt in (1, 2):  # the 502 made the server deliver again
        line = json.loads(listening.next())
        assert (line["message_id"], line["attempt"]) == (message_id, attempt)
        assert line["_forward"] == {"status": 502, "error": "Connection refused"}
    assert listening.stop() == 0
    server.stop()
    log = server.process.stderr.read()
    assert f"deliver {listening.name} message {message_id} attempt 1: 502 (retry in 0.1s)" in log


def test_a_reader_that_goes_away_stops_it_cleanly(delivering, running):
    """`discue listen QUEUE | head -1`: the delivery that cannot be printed is not acknowledged."""
    server = delivering()
    api = Api(server)
    queue_id = api.queue("orders")
    reader, writer = os.pipe()
    listening = running(server, "orders", stdout=writer)
    os.close(writer)
    first = api.message(queue_id, "first")
    assert json.loads(read_line(reader))["message_id"] == first
    os.close(reader)
    api.message(queue_id, "second")
    assert listening.process.wait(timeout=15) == 0
    assert listening.rest("stderr") == f"Removed listener {listening.name} ({listening.listener_id}).\n"
    assert api.client.get(f"/queues/{queue_id}/listeners").json()["listeners"] == []


def test_a_stop_after_the_server_went_away_exits_0_and_says_what_to_delete(delivering, running):
    server = delivering()
    api = Api(server)
    queue_id = api.queue("orders")
    listening = running(server, "orders")
    assert server.stop() == 0
    assert listening.stop(signal.SIGINT) == 0
    port = server.endpoint.split(":")[2].split("/")[0]
    assert listening.rest("stderr") == (
        f"Warning: could not remove listener {listening.name} ({listening.listener_id}):"
        f" could not connect to http://127.0.0.1:{port}: Connection refused\n"
        f"Delete it by hand: discue listeners delete {queue_id} {listening.listener_id} --yes\n"
    )


def test_a_terminal_gets_a_readable_line_with_server_text_escaped(delivering, running, hook):
    import pty

    server = delivering()
    api = Api(server)
    queue_id = api.queue("orders")
    controller, terminal = pty.openpty()
    try:
        listening = running(server, "orders", "--forward-to", hook.url, stdout=terminal)
        os.close(terminal)
        message_id = api.message(queue_id, "red \x1b[31m alert\u202e")
        line = read_line(controller)
        assert re.fullmatch(rf"\d\d:\d\d:\d\d  {message_id}  red \\x1b\[31m alert\\u202e  -> 200\r\n", line), line
        assert listening.stop() == 0
    finally:
        os.close(controller)


class FakeApi:
    """An API of one queue that records the listener it is given; its DELETE can be made to hang."""

    def __init__(self, hang: bool = False) -> None:
        self.deleting, self.release = threading.Event(), threading.Event()
        self.added: list[dict] = []
        if not hang:
            self.release.set()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.reply({"queues": [{"id": QUEUE_ID, "name": "q"}]})

            def do_POST(self):
                api.added.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.reply({"listener": {"id": LISTENER_ID, "name": "l"}})

            def do_DELETE(self):
                api.deleting.set()
                api.release.wait(10)
                self.reply({})

            def reply(self, body):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def cli_args(self) -> list[str]:
        return ["--api-endpoint", f"http://127.0.0.1:{self.server.server_port}/v1", "--api-key", "k" * 20]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def test_a_second_ctrl_c_gives_up_a_removal_that_hangs(running):
    api = FakeApi(hang=True)
    try:
        listening = running(api, "q")
        listening.process.send_signal(signal.SIGINT)
        assert api.deleting.wait(10)
        assert listening.stop(signal.SIGINT) == 130
        assert listening.rest("stderr") == (
            f"Warning: gave up removing listener {listening.name} ({LISTENER_ID})\n"
            f"Delete it by hand: discue listeners delete {QUEUE_ID} {LISTENER_ID} --yes\n"
        )
    finally:
        api.close()


def test_a_public_url_replaces_the_receivers_address_in_the_listener(running):
    api = FakeApi()
    try:
        listening = running(api, "q", "--public-url", "https://abc.tunnel.example/dev/", "--name", "laptop")
        assert listening.banner[1] == "The server reaches it as https://abc.tunnel.example/dev/\n"
        [added] = api.added
        secret = added["notify_url"].removeprefix("https://abc.tunnel.example/dev/").removesuffix("/notify")
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", secret), added
        assert added == {
            "name": "laptop",
            "notify_url": f"https://abc.tunnel.example/dev/{secret}/notify",
            "liveness_url": f"https://abc.tunnel.example/dev/{secret}/live",
        }
        assert listening.stop(signal.SIGTERM) == 0
        assert listening.rest("stderr") == f"Removed listener laptop ({LISTENER_ID}).\n"
    finally:
        api.close()


# -- the line itself


def test_delivery_lines():
    body = {"message_id": "m1", "data": "x", "attempt": 3}
    assert delivery_line(body, None, terminal=False, when="") == '{"message_id":"m1","data":"x","attempt":3}'
    forwarded = delivery_line(body, {"status": 502, "error": "Connection refused"}, terminal=False, when="")
    assert json.loads(forwarded)["_forward"] == {"status": 502, "error": "Connection refused"}
    shown = delivery_line(body, {"status": 502, "error": "Connection refused"}, terminal=True, when="12:00:00")
    assert shown == "12:00:00  m1  x  (attempt 3)  -> 502 (Connection refused)"
    assert delivery_line({"_raw": "not json"}, None, terminal=True, when="12:00:00") == "12:00:00  -  not json"
    assert escape_controls("a\tb\nc\x7f\u2028é") == "a\\tb\\nc\\x7f\\u2028é"
