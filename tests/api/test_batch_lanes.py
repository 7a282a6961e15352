"""A batch's senders each have a connection of their own, and each request leaves in one write."""

from __future__ import annotations

import asyncio
import socket
import threading

import httpcore
import httpx

from discue_cli.api.client import Client
from discue_cli.api.lanes import CoalescingStream


class Recorder(httpcore.AsyncNetworkStream):
    def __init__(self, fail_writes: bool = False):
        self.writes: list[bytes] = []
        self.fail_writes = fail_writes

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if self.fail_writes:
            raise httpcore.WriteError("closed by the server")
        self.writes.append(buffer)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return b"HTTP/1.1 400 Bad Request\r\n\r\n"

    async def aclose(self) -> None:
        pass


def test_writes_before_a_read_leave_as_one():
    inner = Recorder()
    stream = CoalescingStream(inner)

    async def go() -> bytes:
        await stream.write(b"POST / HTTP/1.1\r\n\r\n")
        await stream.write(b'{"data": "x"}')
        assert inner.writes == []
        return await stream.read(100)

    assert asyncio.run(go()).startswith(b"HTTP/1.1 400")
    assert inner.writes == [b'POST / HTTP/1.1\r\n\r\n{"data": "x"}']


def test_a_failed_write_still_reads_the_reply_a_server_sent_before_closing():
    stream = CoalescingStream(Recorder(fail_writes=True))

    async def go() -> bytes:
        await stream.write(b"POST / HTTP/1.1\r\n\r\n")
        return await stream.read(100)

    assert asyncio.run(go()) == b"HTTP/1.1 400 Bad Request\r\n\r\n"


def test_each_lane_uses_one_connection_of_its_own_over_real_http():
    """Four lanes, eight requests each, to a loopback server: four connections, every request whole
    in one read (it was written at once)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    connections: list[int] = []
    torn: list[bytes] = []

    def serve_one(conn: socket.socket) -> None:
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                if not data.endswith(b'{"data": "m"}'):
                    torn.append(data)  # the body did not come with the headers: read it too
                    data += conn.recv(65536)
                body = b'{"message": {"id": "m1"}}'
                conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    def accept() -> None:
        listener.settimeout(5)
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            connections.append(1)
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()

    async def go() -> None:
        async with Client(f"http://127.0.0.1:{port}/v1", "key-0123456789abcdef") as client:
            lanes = [client.lane() for _ in range(4)]
            assert len({id(lane._http) for lane in lanes}) == 4

            async def send(lane: Client) -> None:
                for _ in range(8):
                    await lane.request("POST", "/queues/q/messages", json_body={"data": "m"})

            await asyncio.gather(*(send(lane) for lane in lanes))
            for lane in lanes:
                await lane.aclose()

    try:
        asyncio.run(asyncio.wait_for(go(), 10))
    finally:
        listener.close()
    assert len(connections) == 4
    assert torn == []


def test_a_client_without_sockets_is_its_own_lane():
    """A test transport or the local discue has no pool to split."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    client = Client("http://api.test/v1", "key", transport=transport)
    assert client.lane() is client
