"""A proxy from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, less NO_PROXY) carries one-shot
commands as it carries batches, within --timeout, and an error line names the proxy that failed."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from discue_cli.api.client import Client
from discue_cli.errors import NoResponseError, OutcomeUnknownError
from tests.api.loopback import http_server, reply
from tests.conftest import clean_env
from tests.e2e.test_startup_imports import loaded

KEY = "SECRET-test-key-0123456789"
ENDPOINT = "http://discue.invalid:8787/v1"  # resolves nowhere: only a proxy can carry a request to it
LISTING = b'{"queues": [{"id": "q1"}]}'
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch):
    """Only the proxy a test sets: none from the machine the suite runs on."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def listing(conn: socket.socket, number: int, request: bytes) -> bool:
    conn.sendall(reply(200, LISTING))
    return True


def list_queues(cli, *options: str, endpoint: str = ENDPOINT):
    return cli("--api-endpoint", endpoint, "--api-key", KEY, *options, "queues", "list")


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_a_one_shot_command_goes_through_the_proxy(cli, monkeypatch, variable):
    with http_server(listing) as (port, seen):
        monkeypatch.setenv(variable, f"http://127.0.0.1:{port}")
        result = list_queues(cli)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "q1\t\n", "")
    assert seen.requests[0].startswith(b"GET http://discue.invalid:8787/v1/queues HTTP/1.1\r\n")


def test_the_proxys_credentials_go_to_the_proxy_only(cli, monkeypatch):
    with http_server(listing) as (port, seen):
        monkeypatch.setenv("HTTP_PROXY", f"http://user:s3cret@127.0.0.1:{port}")
        result = list_queues(cli)
    assert result.exit_code == 0
    assert b"\r\nProxy-Authorization: Basic dXNlcjpzM2NyZXQ=\r\n" in seen.requests[0]


def test_no_proxy_exempts_the_endpoint(cli, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "example.org,127.0.0.1")
    with http_server(listing) as (port, seen):
        result = list_queues(cli, endpoint=f"http://127.0.0.1:{port}/v1")
    assert (result.exit_code, result.stdout) == (0, "q1\t\n")
    assert seen.requests[0].startswith(b"GET /v1/queues HTTP/1.1\r\n")


def test_timeout_bounds_a_call_through_a_proxy_that_trickles_its_reply(cli, monkeypatch):
    """Headers at once, then a byte every 0.1 s: the whole call still ends at --timeout."""

    def trickle(conn: socket.socket, number: int, request: bytes) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        for _ in range(60):
            conn.sendall(b" ")
            time.sleep(0.1)
        return False

    with http_server(trickle) as (port, seen):
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        started = time.monotonic()
        result = list_queues(cli, "--timeout", "1")
        elapsed = time.monotonic() - started
    assert result.exit_code == 7
    assert result.stderr.splitlines()[0] == (
        f"Error: no response from http://discue.invalid:8787 through the proxy http://127.0.0.1:{port} "
        "(from HTTP_PROXY) within 1s (timeout)"
    )
    assert 0.9 < elapsed < 2.5
    assert seen.requests[0].startswith(b"GET http://discue.invalid:8787/v1/queues ")


def dead_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_dead_proxy_is_named_with_its_credentials_redacted(cli, monkeypatch):
    port = dead_port()
    monkeypatch.setenv("http_proxy", f"http://user:s3cret@127.0.0.1:{port}")
    result = list_queues(cli, "--retries", "0")
    assert (result.exit_code, result.stdout) == (7, "")
    assert result.stderr == (
        f"Error: could not connect to the proxy http://***@127.0.0.1:{port} (from http_proxy): Connection refused\n"
        "Hint: check the proxy, or list the endpoint's host in NO_PROXY to reach it directly\n"
    )


def test_a_batchs_sender_names_the_dead_proxy_too(monkeypatch):
    port = dead_port()
    monkeypatch.setenv("ALL_PROXY", f"http://user:s3cret@127.0.0.1:{port}")

    async def go() -> None:
        async with Client(ENDPOINT, KEY, retries=0) as client:
            sender = client.sender()
            with pytest.raises(NoResponseError) as caught:
                await sender.request("POST", "/queues/q/messages", json_body={"data": "m"})
            assert caught.value.title == (
                f"could not connect to the proxy http://***@127.0.0.1:{port} (from ALL_PROXY): Connection refused"
            )
            assert not isinstance(caught.value, OutcomeUnknownError)  # nothing left: surely not sent
            await sender.aclose()

    asyncio.run(go())


def test_a_batch_through_the_app_names_the_dead_proxy(cli, monkeypatch):
    port = dead_port()
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    result = cli(
        "--api-endpoint", ENDPOINT, "--api-key", KEY, "--retries", "0",
        "messages", "add", "0123456789abcdef01234567", "--batch", "-", input="a\nb\n",
    )  # fmt: skip
    assert result.exit_code == 7
    assert f"could not connect to the proxy http://127.0.0.1:{port} (from HTTP_PROXY): Connection refused" in (
        result.stderr
    )
    assert "discue.invalid" not in result.stderr.splitlines()[0]


@pytest.mark.parametrize(
    "value, shown",
    [
        ("ftp://user:s3cret@proxy.example:21", "ftp://***@proxy.example:21"),
        ("socks5://127.0.0.1:1080", "socks5://127.0.0.1:1080"),
        ("http://127.0.0.1:99999", "http://127.0.0.1:99999"),
    ],
)
def test_a_proxy_setting_discue_cannot_use_is_one_usage_line(cli, monkeypatch, value, shown):
    monkeypatch.setenv("HTTP_PROXY", value)
    result = list_queues(cli)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[0] == f"Error: HTTP_PROXY is not a proxy discue can use: {shown}"
    assert "s3cret" not in result.stderr


def test_the_installed_command_goes_through_the_proxy():
    with http_server(listing) as (port, seen):
        env = clean_env(DISCUE_API_ENDPOINT=ENDPOINT, DISCUE_API_KEY=KEY, HTTP_PROXY=f"http://127.0.0.1:{port}")
        for name in PROXY_VARIABLES[1:]:
            env.pop(name, None)
            env.pop(name.lower(), None)
        env.pop("http_proxy", None)  # the lowercase one would win
        result, _ = loaded("queues", "list", env=env)
    assert (result.returncode, result.stdout, result.stderr) == (0, "q1\t\n", "")
    assert seen.requests[0].startswith(b"GET http://discue.invalid:8787/v1/queues HTTP/1.1\r\n")


def test_a_proxy_that_refuses_the_tunnel_to_an_https_endpoint_is_named(cli, monkeypatch):
    def refuse(conn: socket.socket, number: int, request: bytes) -> bool:
        conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        return False

    with http_server(refuse) as (port, seen):
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
        result = list_queues(cli, endpoint="https://discue.invalid/v1")
    assert (result.exit_code, result.stdout) == (7, "")
    assert result.stderr == (
        f"Error: the proxy http://127.0.0.1:{port} (from HTTPS_PROXY) would not connect to "
        "https://discue.invalid: 403 Forbidden\n"
    )
    assert len(seen.requests) == 1 and seen.requests[0].startswith(b"CONNECT discue.invalid:443 HTTP/1.1\r\n")
    assert KEY.encode() not in seen.requests[0]  # the key travels only inside the tunnel


def test_a_mixed_case_no_proxy_and_a_port_are_read_as_urllib_reads_them(cli, monkeypatch):
    """The proxy is decided once, by the standard library's reading of the environment: an entry with
    the endpoint's host and port exempts it."""
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    with http_server(listing) as (port, seen):
        monkeypatch.setenv("NO_PROXY", f"example.org, 127.0.0.1:{port}")
        result = list_queues(cli, endpoint=f"http://127.0.0.1:{port}/v1")
    assert (result.exit_code, result.stdout) == (0, "q1\t\n")
    assert seen.requests[0].startswith(b"GET /v1/queues HTTP/1.1\r\n")


def test_a_no_proxy_entry_that_matches_nothing_leaves_the_proxy_in_the_way(cli, monkeypatch):
    """`[::1` names no host: the endpoint still goes through the proxy (before, httpx failed on it)."""
    with http_server(listing) as (port, seen):
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("NO_PROXY", "[::1")
        result = list_queues(cli)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "q1\t\n", "")
    assert seen.requests[0].startswith(b"GET http://discue.invalid:8787/v1/queues HTTP/1.1\r\n")
