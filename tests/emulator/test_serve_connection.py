"""`discue emulator serve` over raw sockets on 127.0.0.1 (uvicorn's h11 parser, with its head cap): a
connection carries request after request, pipelined ones in order, a `100 Continue` before the body it
asks for, and HEAD replies with no body."""

from __future__ import annotations

import json
import socket
from unittest.mock import ANY
from urllib.parse import urlsplit

import pytest


class Connection:
    """One keep-alive connection, read reply by reply (Content-Length framed)."""

    def __init__(self, served) -> None:
        url = urlsplit(served.endpoint)
        self.host = f"{url.hostname}:{url.port}"
        self.key = served.key
        self.sock = socket.create_connection((url.hostname, url.port), timeout=5)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def request(self, method: str, path: str, body: dict | None = None, *extra: str) -> bytes:
        data = json.dumps(body).encode() if body is not None else b""
        lines = [f"{method} /v1{path} HTTP/1.1", f"Host: {self.host}", f"X-API-KEY: {self.key}", *extra]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + data

    def more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise AssertionError(f"the server closed the connection; unread: {self.buffer!r}")
        self.buffer += chunk

    def head(self) -> tuple[int, dict[str, str]]:
        while b"\r\n\r\n" not in self.buffer:
            self.more()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *fields = head.decode("latin-1").split("\r\n")
        headers = {name.lower(): value.strip() for name, _, value in (f.partition(":") for f in fields)}
        return int(status_line.split()[1]), headers

    def reply(self, has_body: bool = True) -> tuple[int, dict[str, str], bytes]:
        status, headers = self.head()
        size = int(headers["content-length"]) if has_body else 0
        while len(self.buffer) < size:
            self.more()
        body, self.buffer = self.buffer[:size], self.buffer[size:]
        return status, headers, body

    def in_step(self) -> bool:
        """Open and in step: a probe sent now gets the very next reply, so nothing was left unread."""
        self.sock.sendall(self.request("GET", "/queues/probe"))
        return self.reply() == (404, PROBED, b'{"title":"Not Found","status":404}') and self.buffer == b""


PROBED = {"content-length": "34", "content-type": "application/json", "date": ANY, "server": "uvicorn"}


@pytest.fixture
def connection(served):
    connection = Connection(served)
    yield connection
    connection.close()


def test_a_keep_alive_connection_carries_request_after_request(connection):
    connection.sock.sendall(connection.request("POST", "/queues", {"name": "orders"}))
    status, _, body = connection.reply()
    queue_id = json.loads(body)["queue"]["id"]
    assert status == 200
    ids = []
    for n in range(3):
        connection.sock.sendall(connection.request("POST", f"/queues/{queue_id}/messages", {"data": f"m{n}"}))
        status, _, body = connection.reply()
        ids.append(json.loads(body)["message"]["id"])
        assert status == 200
    connection.sock.sendall(connection.request("GET", f"/queues/{queue_id}/messages"))
    status, headers, body = connection.reply()
    assert (status, headers["content-type"]) == (200, "application/json")
    assert [m["id"] for m in json.loads(body)["messages"]] == ids
    assert connection.in_step()


def test_pipelined_requests_are_answered_in_order(connection):
    """Three requests in one sendall: three whole replies, in the order asked, each answering its own."""
    connection.sock.sendall(
        connection.request("POST", "/queues", {"name": "first"})
        + connection.request("GET", "/queues")
        + connection.request("GET", "/queues/no-such-queue")
    )
    created = connection.reply()
    listed = connection.reply()
    missing = connection.reply()
    assert created[0] == 200
    queue = json.loads(created[2])["queue"]
    assert (listed[0], json.loads(listed[2])["queues"]) == (200, [{"id": queue["id"], "name": "first"}])  # POST first
    assert (missing[0], json.loads(missing[2])) == (404, {"title": "Not Found", "status": 404})
    assert connection.in_step()


def test_expect_100_continue_gets_its_interim_reply_then_the_reply(connection):
    body = json.dumps({"name": "careful"}).encode()
    extra = ("Expect: 100-continue", "Content-Type: application/json", f"Content-Length: {len(body)}")
    connection.sock.sendall(connection.request("POST", "/queues", None, *extra))
    assert connection.head() == (100, {})  # no body sent yet: the server asks for it
    connection.sock.sendall(body)
    status, _, reply = connection.reply()
    assert (status, json.loads(reply)["queue"]["name"]) == (200, "careful")
    assert connection.in_step()


def test_a_head_reply_has_no_body(connection):
    """HEAD then GET pipelined: right after the HEAD reply's head comes the GET reply, no body between."""
    connection.sock.sendall(connection.request("HEAD", "/queues") + connection.request("GET", "/queues"))
    status, headers, body = connection.reply(has_body=False)
    assert (status, headers["content-type"], body) == (200, "application/json", b"")
    assert connection.buffer == b"" or connection.buffer.startswith(b"HTTP/1.1 200 OK\r\n")
    status, got, body = connection.reply()
    assert (status, json.loads(body)["queues"]) == (200, [])
    assert headers["content-length"] == got["content-length"] == str(len(body))
    assert connection.in_step()


def test_connection_close_sends_the_whole_reply_before_the_end(connection):
    """Asked to close, the server writes the reply and closes in one turn: all of it comes before EOF."""
    connection.sock.sendall(connection.request("GET", "/queues", None, "Connection: close"))
    status, headers, body = connection.reply()
    assert (status, headers["connection"], json.loads(body)["queues"]) == (200, "close", [])
    assert connection.sock.recv(1) == b""  # then the end, and nothing else
