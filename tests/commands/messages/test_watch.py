"""`messages watch` polls the plain listing (never `_embed`), fetches only the new messages, and remembers
only the ids the latest listing holds; on a real terminal (a pty) a message's text from the server is shown
escaped, never acted on."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx
import pytest

from tests.commands.listen.test_listen import read_line
from tests.conftest import clean_env
from tests.emulator.test_delivery import DISCUE

QUEUE_ID = "180994c0-b6b2-4d0e-b7ad-414716e83386"


def mid(n: int) -> str:
    return f"7c1a4e2f-0000-4000-8000-{n:012d}"


class Scripted:
    """A 2022-05 API whose queue lists the scripted ids, one listing a poll (the last one from then on);
    GET of one message answers it whole. Every request's path and query is recorded."""

    def __init__(self, listings: list[list[int]]) -> None:
        self.listings = listings
        self.requests: queue.Queue[str] = queue.Queue()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                api.requests.put(self.path)
                where = urlsplit(self.path).path
                if where == f"/v1/queues/{QUEUE_ID}/messages":
                    ids = api.listings.pop(0) if len(api.listings) > 1 else api.listings[0]
                    body = {"messages": [{"id": mid(n), "name": None} for n in ids], "_links": {}}
                else:
                    message_id = where.rsplit("/", 1)[1]
                    body = {"message": {"id": message_id, "name": None, "data": f"data of {message_id[-2:]}"}}
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
        self.env = clean_env(
            DISCUE_API_ENDPOINT=f"http://127.0.0.1:{self.server.server_port}/v1",
            DISCUE_API_KEY="k" * 20,
            DISCUE_API_VERSION="2022-05",
        )

    def next_request(self) -> str:
        return self.requests.get(timeout=15)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted():
    made = []

    def make(listings: list[list[int]]) -> Scripted:
        made.append(Scripted(listings))
        return made[-1]

    yield make
    for api in made:
        api.close()


def test_each_poll_lists_ids_only_new_ones_are_fetched_and_only_listed_ids_are_remembered(scripted):
    # 1 and 2 are there at the start; 3 comes; 1 goes (acknowledged); then an id like 1 is listed again:
    # shown, since what was remembered is what the queue held, not every id ever seen.
    api = scripted([[1, 2], [1, 2, 3], [2, 3], [1, 2, 3]])
    process = subprocess.Popen(
        [str(DISCUE), "messages", "watch", QUEUE_ID, "--interval", "0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=api.env,
    )
    printed: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [printed.put(line) for line in process.stdout], daemon=True).start()
    try:
        lines = [printed.get(timeout=15), printed.get(timeout=15)]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert lines == [f"{mid(3)}\t\tdata of 03\n", f"{mid(1)}\t\tdata of 01\n"]
    requests = []
    while not api.requests.empty():
        requests.append(api.requests.get())
    listing = f"/v1/queues/{QUEUE_ID}/messages"
    polls = [r for r in requests if r == listing]
    assert len(polls) >= 4 and all(r.startswith(listing) and "_embed" not in r for r in requests)
    assert [r for r in requests if r != listing] == [f"{listing}/{mid(3)}", f"{listing}/{mid(1)}"]
    assert process.stderr.read() == f"Watching {QUEUE_ID} for new messages (Ctrl-C to stop)\nStopped watching.\n"


# An escape sequence, a bell, a C1 CSI, a line separator and a right-to-left override.
EVIL = "red \x1b[31m alert\x07\x9b2J\u2028next\u202eevil"


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
