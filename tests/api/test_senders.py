"""A batch's senders: each an AsyncClient on a connection of its own, sending what the client sends,
with the same errors, reconnects, TLS and proxies, and saying whether a failed POST may have arrived."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import ssl
import time
import zlib

import httpx
import pytest

from discue_cli.api.client import Client
from discue_cli.errors import ApiError, NoResponseError, OutcomeUnknownError
from tests.api.loopback import Answer, http_server, reply
from tests.api.test_client_limits import raw_server
from tests.emulator.stored import data_of

KEY = "SECRET-test-key-0123456789"
POST = ("POST", "/queues/q/messages")


async def post_on_senders(client: Client, senders: int, each: int) -> None:
    async def send(sender: Client) -> None:
        for _ in range(each):
            assert (await sender.request(*POST, json_body={"data": "m"})) == {"message": {"id": "m1"}}

    made = [client.sender() for _ in range(senders)]
    try:
        await asyncio.gather(*(send(sender) for sender in made))
    finally:
        for sender in made:
            await sender.aclose()


def run(coroutine) -> None:
    asyncio.run(asyncio.wait_for(coroutine, 10))


def endpoint(port: int, scheme: str = "http") -> str:
    return f"{scheme}://127.0.0.1:{port}/v1"


def test_each_sender_uses_one_connection_of_its_own():
    with http_server() as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port), KEY) as client:
                await post_on_senders(client, senders=4, each=8)

        run(go())
    assert (seen.connections, len(seen.requests)) == (4, 32)


def test_a_sender_sends_what_the_client_sends():
    """Same request line and headers, in the same order, as AsyncClient.send: the key, the user agent,
    the encodings read_body decodes, keep-alive."""
    with http_server() as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port), KEY) as client:
                await client.request(*POST, json_body={"data": "m"}, params={"a": "1"})
                sender = client.sender()
                await sender.request(*POST, json_body={"data": "m"}, params={"a": "1"})
                await sender.aclose()

        run(go())
    pooled, by_sender = seen.requests
    assert by_sender == pooled
    assert by_sender.startswith(b"POST /v1/queues/q/messages?a=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % port)
    assert b"\r\nX-API-KEY: " + KEY.encode() + b"\r\n" in by_sender


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
                sender = client.sender()
                for count in (1, 2, 3):
                    assert await sender.request(*POST, json_body={"data": "m"}) == {"message": {"id": "m1"}}
                    if seen_by_the_loop:
                        await asyncio.to_thread(seen.wait_closed, count)
                    else:
                        seen.wait_closed(count)  # the loop is held: the stream has not seen the close
                await sender.aclose()

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
                sender = client.sender()
                await sender.request(*POST, json_body={"data": "m"})
                with pytest.raises(NoResponseError) as caught:
                    await sender.request(*POST, json_body={"data": "m"})
                dropped = f"the connection to http://127.0.0.1:{port} was dropped before a complete reply"
                assert caught.value.title == dropped
                assert isinstance(caught.value, OutcomeUnknownError)  # it may have arrived
                await sender.aclose()

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
                sender = client.sender()
                assert await sender.request("GET", "/queues") == {"queues": []}
                await sender.aclose()

        run(go())
    assert (seen.connections, len(seen.requests)) == (2, 2)


def test_a_refused_connection_is_retried_and_named():
    """A connection that was never made cannot have carried the POST: it is retried, then named."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again: nothing listens there

    async def go() -> None:
        async with Client(endpoint(port), KEY, retries=2, backoff_base=0.01) as client:
            sender = client.sender()
            attempts: list[str] = []
            sender.on_exchange = lambda method, url, outcome, ms: attempts.append(outcome)
            with pytest.raises(NoResponseError) as caught:
                await sender.request(*POST, json_body={"data": "m"})
            assert caught.value.title == f"could not connect to http://127.0.0.1:{port}: Connection refused"
            assert not isinstance(caught.value, OutcomeUnknownError)  # surely not sent
            assert attempts == ["ConnectError"] * 3
            await sender.aclose()

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
                sender = client.sender()
                started = time.monotonic()
                with pytest.raises(NoResponseError) as caught:
                    await sender.request(*POST, json_body={"data": "m"})
                assert 0.45 < time.monotonic() - started < 1.5
                assert caught.value.title == f"no response from http://127.0.0.1:{port} within 0.5s (timeout)"
                assert isinstance(caught.value, OutcomeUnknownError)
                await sender.aclose()

        run(go())
    assert len(seen.requests) == 1


def assert_a_sender_refuses(answer: Answer, title: str) -> None:
    """A sender's POST to a server that answers with `answer` fails with an ApiError of `title`."""
    with http_server(answer) as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port), KEY) as client:
                sender = client.sender()
                with pytest.raises(ApiError) as caught:
                    await sender.request(*POST, json_body={"data": "m"})
                assert caught.value.title == title
                await sender.aclose()

        run(go())


def test_a_gzip_bomb_stops_at_the_cap():
    """A sender's reply is one message's: capped at 4 MiB (256 senders at 64 MiB each could hold 16 GiB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    bomb = b"".join(packer.compress(b"\0" * 2**20) for _ in range(80)) + packer.flush()

    def answer(conn: socket.socket, number: int, request: bytes) -> bool:
        conn.sendall(reply(201, bomb, b"Content-Encoding: gzip\r\n"))
        return True

    assert_a_sender_refuses(answer, "unexpected reply: a body over 4 MiB (decompressed); not read")


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

    assert_a_sender_refuses(answer, "unexpected reply: a body over 4 MiB (decompressed); not read")


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


def test_https_senders_verify_the_certificate_and_keep_their_connection(certificates, monkeypatch):
    server, ca_file = certificates
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)  # as users point httpx at a private CA
    with http_server(tls=server) as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port, "https"), KEY) as client:
                await post_on_senders(client, senders=2, each=5)

        run(go())
    assert (seen.connections, len(seen.requests)) == (2, 10)


def test_https_to_an_untrusted_certificate_fails_naming_tls_without_a_retry(certificates, monkeypatch):
    server, _ = certificates
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with http_server(tls=server) as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port, "https"), KEY, retries=3, backoff_base=0.01) as client:
                sender = client.sender()
                attempts: list[str] = []
                sender.on_exchange = lambda method, url, outcome, ms: attempts.append(outcome)
                with pytest.raises(NoResponseError) as caught:
                    await sender.request(*POST, json_body={"data": "m"})
                assert caught.value.title == (
                    f"TLS handshake with https://127.0.0.1:{port} failed (unable to get local issuer certificate)"
                )
                assert attempts == ["ConnectError"]
                await sender.aclose()

        run(go())
    assert seen.requests == []


def test_https_to_a_plain_http_port_fails_naming_tls():
    def plain(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    with raw_server(plain) as port:

        async def go() -> None:
            async with Client(endpoint(port, "https"), KEY, retries=3, backoff_base=0.01) as client:
                sender = client.sender()
                with pytest.raises(NoResponseError) as caught:
                    await sender.request(*POST, json_body={"data": "m"})
                failed = f"TLS handshake with https://127.0.0.1:{port} failed (wrong version number)"
                assert caught.value.title == failed
                await sender.aclose()

        run(go())


def test_a_proxy_from_the_environment_carries_a_senders_requests(monkeypatch):
    """HTTP_PROXY applies to the endpoint: the sender goes through it, not around it."""
    with http_server() as (port, seen):
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        monkeypatch.delenv("http_proxy", raising=False)

        async def go() -> None:
            async with Client("http://api.test/v1", KEY) as client:
                sender = client.sender()
                assert await sender.request(*POST, json_body={"data": "m"}) == {"message": {"id": "m1"}}
                await sender.aclose()

        run(go())
    assert seen.requests[0].startswith(b"POST http://api.test/v1/queues/q/messages HTTP/1.1\r\n")


def test_a_client_without_sockets_is_its_own_sender():
    """A test transport or the local discue has no pool to split."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    client = Client("http://api.test/v1", "key", transport=transport)
    assert client.sender() is client


def test_a_reply_body_is_read_whole_across_many_reads():
    body = b'{"message": {"id": "m1", "data": "' + b"x" * 300_000 + b'"}}'

    def answer(conn: socket.socket, number: int, request: bytes) -> bool:
        conn.sendall(reply(201, body))
        return True

    with http_server(answer) as (port, seen):

        async def go() -> None:
            async with Client(endpoint(port), KEY) as client:
                sender = client.sender()
                for _ in range(2):
                    assert (await sender.request(*POST, json_body={"data": "m"}))["message"]["data"] == "x" * 300_000
                await sender.aclose()

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
    summary = re.escape(shown) + r"Sent 300 of 300 message\(s\) to bulk in \d+\.\ds \([\d,]+/s(, peak [\d,]+/s)?\)\."
    assert re.fullmatch(summary, result.stderr.splitlines()[-1])
    stored = remote("messages", "list", "bulk", "-q").stdout.split()
    assert sorted(stored) == sorted(m["id"] for m in sent)
