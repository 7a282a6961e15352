"""A batch's senders ("lanes"): each on a connection of its own, driven on asyncio without httpx's pool,
sending what the pooled client sends, with the same errors, reconnects, TLS and proxies."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import ssl
import time
import zlib

import httpcore
import httpx
import pytest

from discue_cli.api.client import Client
from discue_cli.api.lanes import SocketStream
from discue_cli.errors import ApiError, NoResponseError
from tests.api.loopback import Answer, http_server, reply
from tests.api.test_client_limits import raw_server
from tests.emulator.stored import data_of

KEY = "SECRET-test-key-0123456789"
POST = ("POST", "/queues/q/messages")


class FakeTransport:
    def __init__(self, closing: bool = False):
        self.writes: list[bytes] = []
        self.closing = closing

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True


def stream_on(transport: FakeTransport) -> SocketStream:
    stream = SocketStream()
    stream.connection_made(transport)
    return stream


def test_writes_before_a_read_leave_as_one():
    transport = FakeTransport()
    stream = stream_on(transport)

    async def go() -> bytes:
        await stream.write(b"POST / HTTP/1.1\r\n\r\n")
        await stream.write(b'{"data": "x"}')
        assert transport.writes == []
        asyncio.get_running_loop().call_soon(stream.data_received, b"HTTP/1.1 400 Bad Request\r\n\r\n")
        return await stream.read(100)

    assert asyncio.run(go()) == b"HTTP/1.1 400 Bad Request\r\n\r\n"
    assert transport.writes == [b'POST / HTTP/1.1\r\n\r\n{"data": "x"}']


def test_a_failed_write_still_reads_the_reply_a_server_sent_before_closing():
    stream = stream_on(FakeTransport(closing=True))
    stream.data_received(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    stream.eof_received()

    async def go() -> tuple[bytes, bytes]:
        await stream.write(b"POST / HTTP/1.1\r\n\r\n")
        return await stream.read(100), await stream.read(100)

    assert asyncio.run(go()) == (b"HTTP/1.1 400 Bad Request\r\n\r\n", b"")


def test_a_read_that_waits_past_its_timeout_is_a_read_timeout():
    stream = stream_on(FakeTransport())

    async def go() -> None:
        with pytest.raises(httpcore.ReadTimeout):
            await stream.read(100, timeout=0.05)

    asyncio.run(asyncio.wait_for(go(), 5))


def test_a_connection_reset_is_a_read_error_with_its_cause():
    stream = stream_on(FakeTransport())
    stream.connection_lost(ConnectionResetError(104, "Connection reset by peer"))

    async def go() -> None:
        with pytest.raises(httpcore.ReadError) as caught:
            await stream.read(100)
        assert isinstance(caught.value.__cause__, ConnectionResetError)

    asyncio.run(go())


async def post_on_lanes(client: Client, lanes: int, each: int) -> None:
    async def send(lane: Client) -> None:
        for _ in range(each):
            assert (await lane.request(*POST, json_body={"data": "m"})) == {"message": {"id": "m1"}}

    made = [client.lane() for _ in range(lanes)]
    try:
        await asyncio.gather(*(send(lane) for lane in made))
    finally:
        for lane in made:
            await lane.aclose()


def run(coroutine) -> None:
    asyncio.run(asyncio.wait_for(coroutine, 10))


def endpoint(port: int, scheme: str = "http") -> str:
    return f"{scheme}://127.0.0.1:{port}/v1"


def test_each_lane_uses_one_connection_of_its_own_and_sends_each_request_in_one_write():
    with http_server() as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port), KEY) as client:
                await post_on_lanes(client, lanes=4, each=8)

        run(go())
    assert (seen.connections, len(seen.requests)) == (4, 32)
    assert seen.reads == seen.requests  # every request whole in the read that began it


def test_a_lane_sends_what_the_pooled_client_sends():
    """Same request line and headers, in the same order, as AsyncClient.send: the key, the user agent,
    the encodings read_body decodes, keep-alive."""
    with http_server() as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port), KEY) as client:
                await client.request(*POST, json_body={"data": "m"}, params={"a": "1"})
                lane = client.lane()
                assert lane._direct is not None
                await lane.request(*POST, json_body={"data": "m"}, params={"a": "1"})
                await lane.aclose()

        run(go())
    pooled, laned = seen.requests
    assert laned == pooled
    assert laned.startswith(b"POST /v1/queues/q/messages?a=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % port)
    assert b"\r\nX-API-KEY: " + KEY.encode() + b"\r\n" in laned


@pytest.mark.parametrize("seen_by_the_loop", [True, False], ids=["loop had a turn", "loop had no turn"])
def test_a_connection_the_server_closed_between_requests_is_opened_again(seen_by_the_loop):
    """The server answers, then closes the kept-alive connection: the next request goes on a new one,
    transparently (a POST too: it was never sent on the closed connection). Whether or not the event
    loop has run since the close arrived (without a turn, only the socket itself can tell)."""

    def answer_then_close(conn: socket.socket, number: int, request: bytes) -> bool:
        conn.sendall(reply())
        return False

    with http_server(answer_then_close) as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port), KEY, retries=0) as client:
                lane = client.lane()
                for count in (1, 2, 3):
                    assert await lane.request(*POST, json_body={"data": "m"}) == {"message": {"id": "m1"}}
                    if seen_by_the_loop:
                        await asyncio.to_thread(seen.wait_closed, count)
                    else:
                        seen.wait_closed(count)  # the loop is held: the stream has not seen the close
                await lane.aclose()

        run(go())
    assert (seen.connections, len(seen.requests)) == (3, 3)


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(lambda conn: None, id="closed without a reply"),
        pytest.param(lambda conn: conn.sendall(reply()[:-5]), id="closed halfway through the body"),
        pytest.param(lambda conn: conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Le"), id="closed in the head"),
    ],
)
def test_a_post_whose_reply_was_cut_is_not_sent_again(cut):
    """It may have arrived: resending could post the message twice."""

    def answer(conn: socket.socket, number: int, request: bytes) -> bool:
        if number == 0:
            conn.sendall(reply())
            return True
        cut(conn)
        return False

    with http_server(answer) as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port), KEY, retries=3, backoff_base=0.01) as client:
                lane = client.lane()
                await lane.request(*POST, json_body={"data": "m"})
                with pytest.raises(NoResponseError) as caught:
                    await lane.request(*POST, json_body={"data": "m"})
                dropped = f"the connection to http://127.0.0.1:{port} was dropped before a complete reply"
                assert caught.value.title == dropped
                await lane.aclose()

        run(go())
    assert len(seen.requests) == 2


def test_a_get_whose_reply_was_cut_is_retried_on_a_new_connection():
    def answer(conn: socket.socket, number: int, request: bytes) -> bool:
        if number == 0:
            conn.sendall(reply()[:-5])
            return False
        conn.sendall(reply(200, b'{"queues": []}'))
        return True

    with http_server(answer) as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port), KEY, retries=1, backoff_base=0.01) as client:
                lane = client.lane()
                assert await lane.request("GET", "/queues") == {"queues": []}
                await lane.aclose()

        run(go())
    assert (seen.connections, len(seen.requests)) == (2, 2)


def test_a_refused_connection_is_retried_and_named():
    """A connection that was never made cannot have carried the POST: it is retried, then named."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again: nothing listens there

    async def go() -> None:
        async with Client(endpoint(port), KEY, retries=2, backoff_base=0.01) as client:
            lane = client.lane()
            attempts: list[str] = []
            lane.on_exchange = lambda method, url, outcome, ms: attempts.append(outcome)
            with pytest.raises(NoResponseError) as caught:
                await lane.request(*POST, json_body={"data": "m"})
            assert caught.value.title == f"could not connect to http://127.0.0.1:{port}: Connection refused"
            assert attempts == ["ConnectError"] * 3
            await lane.aclose()

    run(go())


def test_a_trickled_reply_is_cut_at_the_timeout():
    """A byte every 50 ms: no single read waits long, the call's deadline still holds."""

    def trickle(conn: socket.socket, number: int, request: bytes) -> bool:
        conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 100000\r\n\r\n")
        for _ in range(100):
            conn.sendall(b" ")
            time.sleep(0.05)
        return False

    with http_server(trickle) as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port), KEY, timeout=0.5) as client:
                lane = client.lane()
                started = time.monotonic()
                with pytest.raises(NoResponseError) as caught:
                    await lane.request(*POST, json_body={"data": "m"})
                assert 0.45 < time.monotonic() - started < 1.5
                assert caught.value.title == f"no response from http://127.0.0.1:{port} within 0.5s (timeout)"
                await lane.aclose()

        run(go())
    assert len(seen.requests) == 1


def assert_a_lane_refuses(answer: Answer, title: str) -> None:
    """A lane's POST to a server that answers with `answer` fails with an ApiError of `title`."""
    with http_server(answer) as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port), KEY) as client:
                lane = client.lane()
                with pytest.raises(ApiError) as caught:
                    await lane.request(*POST, json_body={"data": "m"})
                assert caught.value.title == title
                await lane.aclose()

        run(go())


def test_a_gzip_bomb_stops_at_the_cap():
    """A sender's reply is one message's: capped at 4 MiB (256 senders at 64 MiB each could hold 16 GiB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    bomb = b"".join(packer.compress(b"\0" * 2**20) for _ in range(80)) + packer.flush()

    def answer(conn: socket.socket, number: int, request: bytes) -> bool:
        conn.sendall(reply(201, bomb, b"Content-Encoding: gzip\r\n"))
        return True

    assert_a_lane_refuses(answer, "unexpected reply: a body over 4 MiB (decompressed); not read")


def test_an_endless_reply_stops_at_a_senders_cap():
    """A chunked body that never ends: each sender holds at most 4 MiB of it, not 64."""

    def answer(conn: socket.socket, number: int, request: bytes) -> bool:
        conn.sendall(b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"x" * 65536
        try:
            for _ in range(2048):  # 128 MiB, far past any cap
                conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            pass  # the client stopped reading and closed
        return False

    assert_a_lane_refuses(answer, "unexpected reply: a body over 4 MiB (decompressed); not read")


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A CA of the test's own, and a certificate it signed for 127.0.0.1 (no system store knows it)."""
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    return server, str(ca_file)


def test_https_lanes_verify_the_certificate_and_keep_their_connection(certificates, monkeypatch):
    server, ca_file = certificates
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)  # as users point httpx at a private CA
    with http_server(tls=server) as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port, "https"), KEY) as client:
                await post_on_lanes(client, lanes=2, each=5)

        run(go())
    assert (seen.connections, len(seen.requests)) == (2, 10)


def test_https_to_an_untrusted_certificate_fails_naming_tls_without_a_retry(certificates, monkeypatch):
    server, _ = certificates
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with http_server(tls=server) as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port, "https"), KEY, retries=3, backoff_base=0.01) as client:
                lane = client.lane()
                attempts: list[str] = []
                lane.on_exchange = lambda method, url, outcome, ms: attempts.append(outcome)
                with pytest.raises(NoResponseError) as caught:
                    await lane.request(*POST, json_body={"data": "m"})
                assert caught.value.title == (
                    f"TLS handshake with https://127.0.0.1:{port} failed (unable to get local issuer certificate)"
                )
                assert attempts == ["ConnectError"]
                await lane.aclose()

        run(go())
    assert seen.requests == []


def test_https_to_a_plain_http_port_fails_naming_tls():
    def plain(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    with raw_server(plain) as port:

        async def go() -> None:
            async with Client(endpoint(port, "https"), KEY, retries=3, backoff_base=0.01) as client:
                lane = client.lane()
                with pytest.raises(NoResponseError) as caught:
                    await lane.request(*POST, json_body={"data": "m"})
                failed = f"TLS handshake with https://127.0.0.1:{port} failed (wrong version number)"
                assert caught.value.title == failed
                await lane.aclose()

        run(go())


def test_a_proxy_from_the_environment_still_carries_a_lanes_requests(monkeypatch):
    """HTTP_PROXY applies to the endpoint: the lane goes through httpx's proxy transport, not around it."""
    with http_server() as (port, seen):
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)

        async def go() -> None:
            async with Client("http://api.test/v1", KEY) as client:
                lane = client.lane()
                assert lane._direct is None
                assert await lane.request(*POST, json_body={"data": "m"}) == {"message": {"id": "m1"}}
                await lane.aclose()

        run(go())
    assert seen.requests[0].startswith(b"POST http://api.test/v1/queues/q/messages HTTP/1.1\r\n")


def test_a_proxy_that_does_not_apply_leaves_the_lane_direct(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # for https only
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    monkeypatch.delenv("ALL_PROXY", raising=False)
    with http_server() as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port), KEY) as client:
                lane = client.lane()
                assert lane._direct is not None
                await lane.request(*POST, json_body={"data": "m"})
                await lane.aclose()

        run(go())
    assert seen.requests[0].startswith(b"POST /v1/queues/q/messages HTTP/1.1\r\n")


def test_a_client_without_sockets_is_its_own_lane():
    """A test transport or the local discue has no pool to split."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    client = Client("http://api.test/v1", "key", transport=transport)
    assert client.lane() is client


def test_a_reply_body_is_read_whole_across_many_reads():
    body = b'{"message": {"id": "m1", "data": "' + b"x" * 300_000 + b'"}}'

    def answer(conn: socket.socket, number: int, request: bytes) -> bool:
        conn.sendall(reply(201, body))
        return True

    with http_server(answer) as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port), KEY) as client:
                lane = client.lane()
                for _ in range(2):
                    assert (await lane.request(*POST, json_body={"data": "m"}))["message"]["data"] == "x" * 300_000
                await lane.aclose()

        run(go())
    assert seen.connections == 1


@pytest.mark.parametrize("terminal", [False, True], ids=["piped", "terminal"])
def test_a_batch_through_the_served_emulator_sends_every_line_once_in_order(remote, served, setup, terminal, tmp_path):
    if terminal:
        setup.tty = {"stdin_tty": True, "stdout_tty": True, "stderr_tty": True}
    assert remote("queues", "create", "bulk", "-q").exit_code == 0
    lines = [f'{{"n": {i}}}' for i in range(300)]
    (tmp_path / "in.txt").write_text("\n".join(lines) + "\n")
    result = remote("messages", "add", "bulk", "--batch", str(tmp_path / "in.txt"), "--concurrency", "8", "--json")
    assert result.exit_code == 0, result.stderr
    sent = [json.loads(line)["message"] for line in result.stdout.splitlines()]
    assert [data_of(served.db, m["id"]) for m in sent] == lines  # replies are {id, name}
    shown = "\x1b[?25h" if terminal else ""  # the progress bar gives the cursor back first
    summary = re.escape(shown) + r"Sent 300 of 300 message\(s\) to bulk in \d+\.\ds \([\d,]+/s\)\."
    assert re.fullmatch(summary, result.stderr.splitlines()[-1])
    stored = remote("messages", "list", "bulk", "-q").stdout.split()
    assert sorted(stored) == sorted(m["id"] for m in sent)
