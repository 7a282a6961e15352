"""A batch's limiter at work over real loopback: more in flight against a distant server, the whole
batch paused by Retry-After, --rate honoured, and every line stored exactly once throughout."""

from __future__ import annotations

import asyncio
import io
import json
import threading
import time
from collections import Counter

from discue_cli.api.batch import SENT, LineResult, send_batch
from discue_cli.api.client import Client
from discue_cli.commands._input import LineSource
from tests.api.loopback import http_server, reply

KEY = "test-key-0123456789abcdef"
QUEUE = "6f1c1a4e2f4b4c1e9a510d6b"


class Distant:
    """A server `latency` seconds away that stores every message and counts the requests it is serving."""

    def __init__(self, latency: float = 0.0, throttle: dict[int, bytes] | None = None):
        self.latency = latency
        self.throttle = throttle or {}  # request number -> the extra headers of a 429 answered to it
        self.lock = threading.Lock()
        self.stored: list[str] = []
        self.serving = 0
        self.most = 0
        self.arrivals: list[float] = []
        self.throttled_at: float | None = None

    def __call__(self, conn, number: int, request: bytes) -> bool:
        with self.lock:
            self.arrivals.append(time.monotonic())
            self.serving += 1
            self.most = max(self.most, self.serving)
        try:
            if self.latency:
                time.sleep(self.latency)
            if number in self.throttle:
                self.throttled_at = time.monotonic()
                conn.sendall(reply(429, b'{"title": "Too Many Requests", "status": 429}', self.throttle[number]))
                return True
            data = json.loads(request.partition(b"\r\n\r\n")[2])["data"]
            with self.lock:
                self.stored.append(data)
            conn.sendall(reply(201, json.dumps({"message": {"id": "id-" + data}}).encode()))
            return True
        finally:
            with self.lock:
                self.serving -= 1


def batch(port: int, lines: int, concurrency: int | None, **options) -> tuple[list[str], list[str]]:
    """The lines acknowledged, and what the limiter said (-v)."""
    source = LineSource(io.BytesIO(b"".join(b"line-%d\n" % i for i in range(lines))))
    sent: list[str] = []
    said: list[str] = []

    def on_result(item: LineResult) -> None:
        assert item.kind == SENT, item.error
        sent.append(item.line)

    async def go() -> None:
        async with Client(f"http://127.0.0.1:{port}/v1", KEY, timeout=30, backoff_base=0.01) as client:
            stop = await send_batch(client, QUEUE, source, concurrency, on_result, say=said.append, **options)
            assert stop is None

    asyncio.run(asyncio.wait_for(go(), 240))
    return sent, said


def assert_each_stored_once(server: Distant, sent: list[str], lines: int) -> None:
    assert Counter(server.stored) == Counter(f"line-{i}" for i in range(lines))
    assert sorted(sent) == sorted(server.stored)


def test_against_a_distant_server_the_default_raises_the_number_in_flight():
    server = Distant(latency=0.05)
    with http_server(server) as (port, _):
        sent, said = batch(port, 1500, None)
    assert_each_stored_once(server, sent, 1500)
    assert said[0].startswith("in flight: 8 -> 16 (")  # the first window's replies came near the floor
    assert server.most >= 16  # and the server saw it


def test_a_pinned_concurrency_stays_where_it_was_put():
    server = Distant(latency=0.02)
    with http_server(server) as (port, _):
        sent, said = batch(port, 300, 4)
    assert_each_stored_once(server, sent, 300)
    assert server.most <= 4 and not [line for line in said if line.startswith("in flight")]


def test_retry_after_pauses_the_whole_batch_not_just_its_line():
    server = Distant(throttle={40: b"Retry-After: 2\r\n"})
    with http_server(server) as (port, _):
        sent, said = batch(port, 200, 8)
    assert_each_stored_once(server, sent, 200)
    assert "pace: the server asked for a pause of 2s (Retry-After)" in said
    paused = [t for t in server.arrivals if server.throttled_at < t < server.throttled_at + 1.5]
    # Only what left before the client read the 429: the other senders' lines already on their way, and on a
    # busy machine one more each whose replies came just before it (9 once beside two CPU hogs). Without
    # the pause the rest of the batch, ~150 lines, would come in this second and a half.
    assert len(paused) <= 2 * 8


def test_rate_caps_messages_per_second():
    server = Distant()
    with http_server(server) as (port, _):
        started = time.monotonic()
        sent, _ = batch(port, 41, 8, rate=20)
        elapsed = time.monotonic() - started
    assert_each_stored_once(server, sent, 41)
    assert elapsed >= 1.9  # 40 intervals of 1/20 s: never faster, however idle the machine
    spread = server.arrivals[-1] - server.arrivals[0]
    assert spread >= 1.9
