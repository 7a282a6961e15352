"""Batches against servers that break HTTP, over real loopback sockets: every line ends sent, not sent
or outcome unknown; nothing is reported sent that the server did not store, and no line the server
stored is in the resend file (not sent). (Round 2's own connection code reported 36 of 1,000 lines
sent that a server writing extra bytes never stored.)"""

from __future__ import annotations

import asyncio
import io
import json
import socket
import struct
import threading
import time
from collections import Counter

import pytest

from discue_cli.api.batch import NOT_SENT, SENT, UNKNOWN, LineResult, send_batch
from discue_cli.api.client import Client
from discue_cli.commands._input import LineSource
from tests.api.loopback import http_server, reply

KEY = "SECRET-test-key-0123456789"
QUEUE = "6f1c1a4e2f4b4c1e9a510d6b"


class Store:
    """What the misbehaving server stored, by line."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.data: list[str] = []

    def keep(self, request: bytes) -> str:
        data = json.loads(request.partition(b"\r\n\r\n")[2])["data"]
        with self.lock:
            self.data.append(data)
        return data


def created(data: str) -> bytes:
    return reply(201, json.dumps({"message": {"id": "id-" + data, "data": data}}).encode())


def data_of(request: bytes) -> str:
    return json.loads(request.partition(b"\r\n\r\n")[2])["data"]


def reset(conn: socket.socket) -> None:
    """Close with a RST, not a FIN (SO_LINGER 0)."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def run_batch(port: int, lines: int, timeout: float = 5.0, retries: int = 3) -> dict[str, list[str]]:
    """Send `lines` lines to the server on `port`: each line's data by the kind it ended as."""
    source = LineSource(io.BytesIO(b"".join(b"line-%d\n" % i for i in range(lines))))
    kinds: dict[str, list[str]] = {SENT: [], NOT_SENT: [], UNKNOWN: []}
    seen: list[int] = []

    def on_result(item: LineResult) -> None:
        seen.append(item.index)
        kinds[item.kind].append(item.line)

    async def go() -> None:
        client = Client(f"http://127.0.0.1:{port}/v1", KEY, timeout=timeout, retries=retries, backoff_base=0.01)
        async with client:
            await send_batch(client, QUEUE, source, 8, on_result)

    asyncio.run(asyncio.wait_for(go(), 120))
    rest = [raw.decode().strip() for raw in source.rest()]  # what a stop left unsent
    kinds[NOT_SENT] += rest
    assert sorted(seen) == list(range(len(seen)))  # each line reported once
    return kinds


def assert_honest(kinds: dict[str, list[str]], store: Store, lines: int) -> None:
    every = kinds[SENT] + kinds[NOT_SENT] + kinds[UNKNOWN]
    assert Counter(every) == Counter(f"line-{i}" for i in range(lines))  # sent + not sent + unknown == input
    stored = set(store.data)
    assert set(kinds[SENT]) - stored == set()  # nothing reported sent that the server lacks
    assert set(kinds[NOT_SENT]) & stored == set()  # the resend file never holds a stored line
    assert len(store.data) == len(stored)  # no line stored twice: a POST that may have arrived is never resent


def storing(store: Store, misbehave):
    """An answer that stores each request, then replies as `misbehave(conn, number, data)` says."""

    def answer(conn: socket.socket, number: int, request: bytes) -> bool:
        data = store.keep(request)
        return misbehave(conn, number, data)

    return answer


def test_extra_bytes_after_the_body():
    store = Store()

    def extra(conn, number, data):
        conn.sendall(
            created(data) + (b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}" if number % 3 == 0 else b"")
        )
        return True

    with http_server(storing(store, extra)) as (port, _):
        kinds = run_batch(port, 1000)
    assert_honest(kinds, store, 1000)


def test_a_short_content_length():
    store = Store()

    def short(conn, number, data):
        body = json.dumps({"message": {"id": "id-" + data}}).encode()
        cut = 5 if number % 4 == 0 else 0
        conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\n\r\n%s" % (len(body) - cut, body))
        return True

    with http_server(storing(store, short)) as (port, _):
        kinds = run_batch(port, 1000)
    assert_honest(kinds, store, 1000)
    assert kinds[NOT_SENT] == []  # every line reached the server


def test_a_long_content_length():
    """The reply promises more than it sends: the call's deadline ends the wait (outcome unknown)."""
    store = Store()

    def long(conn, number, data):
        body = json.dumps({"message": {"id": "id-" + data}}).encode()
        extra = 10 if number % 25 == 0 else 0
        conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\n\r\n%s" % (len(body) + extra, body))
        if extra:
            time.sleep(1)
            return False
        return True

    with http_server(storing(store, long)) as (port, _):
        kinds = run_batch(port, 200, timeout=0.5)
    assert_honest(kinds, store, 200)
    assert kinds[UNKNOWN]


def test_a_garbage_reply():
    store = Store()

    def garbage(conn, number, data):
        if number % 7 == 0:
            conn.sendall(b"\x00\x01 this is not HTTP\r\n\r\n")
            return False
        conn.sendall(created(data))
        return True

    with http_server(storing(store, garbage)) as (port, _):
        kinds = run_batch(port, 1000)
    assert_honest(kinds, store, 1000)
    assert kinds[UNKNOWN] and kinds[NOT_SENT] == []


def test_a_connection_closed_after_each_reply_is_replaced_and_nothing_fails():
    """Idle close: httpcore notices a kept-alive connection the server closed before reusing it."""
    store = Store()

    def close(conn, number, data):
        conn.sendall(created(data))
        return False

    with http_server(storing(store, close)) as (port, seen):
        kinds = run_batch(port, 1000)
    assert_honest(kinds, store, 1000)
    assert kinds[NOT_SENT] == [] and kinds[SENT]
    # A close that races the next request leaves that line unknown: how many depends on the machine's
    # timing (155 of 1,000 once at load average 3), never on a rule, so no count is asserted here.


def test_a_reply_that_never_comes():
    store = Store()

    def stall(conn, number, data):
        if number % 20 == 0:
            time.sleep(1.5)
            return False
        conn.sendall(created(data))
        return True

    with http_server(storing(store, stall)) as (port, _):
        kinds = run_batch(port, 200, timeout=0.5)
    assert_honest(kinds, store, 200)
    assert kinds[UNKNOWN]


def test_a_reset_mid_reply():
    store = Store()

    def cut(conn, number, data):
        if number % 9 == 0:
            conn.sendall(created(data)[:30])
            reset(conn)
            return False
        conn.sendall(created(data))
        return True

    with http_server(storing(store, cut)) as (port, _):
        kinds = run_batch(port, 1000)
    assert_honest(kinds, store, 1000)
    assert kinds[UNKNOWN]


def test_a_2xx_without_an_id_is_sent():
    store = Store()

    def no_id(conn, number, data):
        conn.sendall(reply(201, b"{}") if number % 5 == 0 else created(data))
        return True

    with http_server(storing(store, no_id)) as (port, _):
        kinds = run_batch(port, 1000)
    assert_honest(kinds, store, 1000)
    assert len(kinds[SENT]) == 1000


def test_429_with_retry_after_then_stored():
    store = Store()
    refused: set[str] = set()

    def limited(conn, number, request):
        data = data_of(request)
        if data not in refused and number % 10 == 0:
            refused.add(data)
            conn.sendall(reply(429, b'{"title": "Too Many Requests"}', b"Retry-After: 0\r\n"))
            return True
        store.keep(request)
        conn.sendall(created(data))
        return True

    with http_server(limited) as (port, _):
        kinds = run_batch(port, 1000)
    assert_honest(kinds, store, 1000)
    assert len(kinds[SENT]) == 1000


def test_a_503_storm():
    """503 stores nothing: lines refused after their retries are not sent, and in the resend file."""
    store = Store()

    def storm(conn, number, request):
        if number % 3 != 0:
            conn.sendall(reply(503, b'{"title": "Service Unavailable"}'))
            return True
        data = store.keep(request)
        conn.sendall(created(data))
        return True

    with http_server(storm) as (port, _):
        kinds = run_batch(port, 300, retries=1)
    assert_honest(kinds, store, 300)
    assert kinds[NOT_SENT] and kinds[SENT]


@pytest.mark.parametrize("status, kind", [(500, UNKNOWN), (400, NOT_SENT)])
def test_a_5xx_is_unknown_and_a_4xx_not_sent(status, kind):
    store = Store()

    def fail(conn, number, request):
        if number % 2 == 0:
            if status >= 500:
                store.keep(request)  # a 500 may come after the message was stored
            conn.sendall(reply(status, b'{"title": "X", "detail": "why"}'))
            return True
        conn.sendall(created(store.keep(request)))
        return True

    with http_server(fail) as (port, _):
        kinds = run_batch(port, 100, retries=0)
    assert_honest(kinds, store, 100)
    assert len(kinds[kind]) == 50


def test_a_second_reply_after_the_first_is_never_taken_for_the_next_request():
    """A server that writes a whole extra reply after some replies, then drops the request that follows
    on that connection: the stale reply must not acknowledge it (it was 120 of 1,000 lines reported sent
    and never stored)."""
    store = Store()

    def ghost(conn, number, request):
        if getattr(conn, "ghosted", False):  # the request after the ghost: read, never stored, dropped
            return False
        data = store.keep(request)
        extra = b""
        if number % 7 == 0:
            extra = reply(201, json.dumps({"message": {"id": f"ghost{number}"}}).encode())
            conn.ghosted = True
        conn.sendall(created(data) + extra)
        return True

    with http_server(ghostly(ghost)) as (port, _):
        kinds = run_batch(port, 1000)
    assert_honest(kinds, store, 1000)
    assert not [line for line in kinds[SENT] if line not in store.data]


def ghostly(answer):
    """`answer` with a per-connection flag it can set."""
    flags: dict[int, bool] = {}

    class Flagged:
        def __init__(self, conn):
            self.conn = conn

        @property
        def ghosted(self):
            return flags.get(id(self.conn), False)

        @ghosted.setter
        def ghosted(self, value):
            flags[id(self.conn)] = value

        def sendall(self, data):
            self.conn.sendall(data)

    def wrapped(conn, number, request):
        return answer(Flagged(conn), number, request)

    return wrapped
