"""What a hostile or broken server cannot do to the CLI: make it wait past --timeout, retry a
failed TLS handshake, fill its memory, or pass off a body that is not the JSON expected."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import clean_env

DISCUE = Path(sys.executable).with_name("discue")
KEY = "SECRET-test-key-0123456789"


@contextmanager
def raw_server(answer: Callable[[socket.socket], None]) -> Iterator[int]:
    """A loopback TCP server answering each connection with `answer(conn)` in a thread; yields its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return

            def handle(conn: socket.socket = conn) -> None:
                with conn:
                    try:
                        conn.recv(65536)
                        answer(conn)
                    except OSError:
                        pass

            threading.Thread(target=handle, daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()


def list_with_timeout_1(cli, port: int) -> tuple[object, float]:
    """`queues list` with --timeout 1 against a server on `port`: its result, and how long it took."""
    started = time.monotonic()
    result = cli("--api-endpoint", f"http://127.0.0.1:{port}/v1", "--api-key", KEY, "--timeout", "1", "queues", "list")
    return result, time.monotonic() - started


def assert_timed_out(result, port: int) -> None:
    assert result.exit_code == 7
    assert result.stderr.splitlines()[0] == f"Error: no response from http://127.0.0.1:{port} within 1s (timeout)"


def test_a_trickling_reply_is_cut_at_the_timeout(cli):
    """Headers at once, then a byte every 0.1 s: no single read ever times out."""

    def trickle(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        for _ in range(600):
            conn.sendall(b" ")
            time.sleep(0.1)

    with raw_server(trickle) as port:
        result, elapsed = list_with_timeout_1(cli, port)
    assert_timed_out(result, port)
    assert 0.9 < elapsed < 2.5  # the whole call, retries included, within --timeout


def test_https_to_a_plain_http_port_fails_at_once_naming_tls(cli):
    def plain(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    with raw_server(plain) as port:
        started = time.monotonic()
        result = cli("--api-endpoint", f"https://127.0.0.1:{port}/v1", "--api-key", KEY, "queues", "list")
        elapsed = time.monotonic() - started
    assert result.exit_code == 7
    assert result.stderr.splitlines()[0] == (
        f"Error: TLS handshake with https://127.0.0.1:{port} failed (wrong version number)"
    )
    assert elapsed < 1.5  # not retried


def test_a_gzip_bomb_is_refused_with_memory_bounded(tmp_path):
    """1 GiB of zeros, 1 MiB compressed; the CLI stops at 64 MiB, inflating in bounded steps."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    bomb = b"".join(packer.compress(b"\0" * 2**20) for _ in range(1024)) + packer.flush()
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"

    def answer(conn: socket.socket) -> None:
        conn.sendall(head + f"Content-Length: {len(bomb)}\r\n\r\n".encode() + bomb)

    def cap_memory() -> None:
        # ru_maxrss of a child started from a large test worker includes the worker's pages (Linux keeps
        # the pre-exec high-water mark), so the bound is enforced instead: 768 MiB of address space, well
        # short of the 1 GiB the reply inflates to; an unbounded read dies of MemoryError, not this error.
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (768 * 2**20, 768 * 2**20))

    with raw_server(answer) as port:
        args = [str(DISCUE), "--api-endpoint", f"http://127.0.0.1:{port}/v1", "--api-key", KEY, "queues", "list"]
        result = subprocess.run(
            args, capture_output=True, text=True, env=clean_env(), preexec_fn=cap_memory, timeout=30
        )
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[0] == "Error: unexpected reply: a body over 64 MiB (decompressed); not read (200)"


def test_a_body_of_white_space_is_not_an_empty_reply(cli, setup):
    setup.transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b" \n \n"))
    result = cli("--api-endpoint", "http://api.test/v1", "--api-key", KEY, "queues", "list")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: unexpected reply: HTTP 200 with a body that is not JSON (200)\n"


def test_a_huge_streamed_body_stops_at_the_cap(cli, setup):
    async def spaces() -> AsyncIterator[bytes]:
        for _ in range(300):
            yield b" " * 2**20

    setup.transport = httpx.MockTransport(lambda request: httpx.Response(200, content=spaces()))
    result = cli("--api-endpoint", "http://api.test/v1", "--api-key", KEY, "queues", "list")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: unexpected reply: a body over 64 MiB (decompressed); not read (200)\n"


def test_the_client_reads_no_further_than_the_cap():
    import asyncio

    from discue_cli.api.client import Client, ReplyTooLarge

    sent = []

    async def spaces() -> AsyncIterator[bytes]:
        for _ in range(300):
            sent.append(1)
            yield b" " * 2**20

    async def go() -> None:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, content=spaces()))
        async with Client("http://api.test/v1", KEY, transport=transport) as client:
            await client.request("GET", "/queues")

    try:
        asyncio.run(go())
    except ReplyTooLarge as exc:
        assert exc.title == "unexpected reply: a body over 64 MiB (decompressed); not read"
    else:
        raise AssertionError("the body was read whole")
    assert len(sent) == 65  # read no further than the cap


def test_a_gzipped_reply_is_read(cli, setup):
    body = gzip.compress(b'{"queues": [{"id": "q1", "name": "n"}]}')

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["Accept-Encoding"] == "gzip, deflate"
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(body))

    setup.transport = httpx.MockTransport(answer)
    result = cli("--api-endpoint", "http://api.test/v1", "--api-key", KEY, "queues", "list")
    assert (result.exit_code, result.stdout) == (0, "q1\tn\n")


def test_watch_lists_ids_and_fetches_only_the_new_messages(cli, httpmock):
    """Each poll lists without _embed; only a message not seen before is fetched, once."""
    import signal

    queue = {"queues": [{"id": "q1", "name": "watched"}]}
    httpmock.register("GET", "/v1/queues", queue)
    polls = [[{"id": "old"}], [{"id": "old"}, {"id": "new"}], [{"id": "old"}, {"id": "new"}]]

    def listing(request: httpx.Request) -> httpx.Response:
        assert "_embed" not in request.url.params
        items = polls.pop(0)
        if not polls:
            os.kill(os.getpid(), signal.SIGINT)  # the third poll is the last: Ctrl-C
        return httpx.Response(200, json={"messages": items})

    httpmock.register("GET", "/v1/queues/q1/messages", listing, times=3)
    httpmock.register("GET", "/v1/queues/q1/messages/new", {"message": {"id": "new", "data": "hello"}})
    result = cli(
        "--api-endpoint", "http://api.test/v1", "--api-key", KEY, "messages", "watch", "watched",
        "--interval", "0.1", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == '{"id":"new","data":"hello"}\n'
    assert result.stderr.endswith("Stopped watching.\n")
