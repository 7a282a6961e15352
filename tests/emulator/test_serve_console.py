"""The console of `emulator serve` has one format: uvicorn's lines and ours come as `HH:MM:SS words`,
filtered by --log-level, and no traceback reaches it (a client that goes away mid-request is one debug line)."""

from __future__ import annotations

import logging
import re
import socket

import httpx
import pytest

from discue_cli.emulator.console import Log, routed_logs
from tests.emulator.hooks import DRAINED, reap, serve, stop, wait_until

TIME = re.compile(r"^\d\d:\d\d:\d\d ")
GONE = "the client went away before sending the whole body"


@pytest.fixture(autouse=True)
def _reap_servers():
    yield
    reap()


def console(server) -> list[str]:
    """The console lines so far."""
    return list(DRAINED[server.process.pid][1])


def stopped(server) -> list[str]:
    """The console lines after the address line, once stopped cleanly; their time shown as T."""
    code, _, stdout, stderr = stop(server.process)
    assert (code, stdout) == (0, "# API generation: 2023-04\n"), stderr  # the line after the exports
    lines = stderr.splitlines()
    if lines and lines[0].startswith("local discue on http://127.0.0.1:"):  # not at --log-level error
        lines = lines[1:]
    return [TIME.sub("T ", line) for line in lines]


def send_raw(server, data: bytes) -> None:
    host, port = server.endpoint.removeprefix("http://").split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(data)


def cut_short(server, path: str) -> None:
    """A POST announcing 100 bytes that sends 8 and closes: as a Ctrl-C'd `messages add --batch` does."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-KEY: {server.key}\r\n"
        "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    )
    send_raw(server, head.encode() + b'{"data":')


def new_queue(server) -> str:
    r = httpx.post(f"{server.endpoint}/queues", json={"name": "q"}, headers={"X-API-KEY": server.key}, timeout=5)
    return r.json()["queue"]["id"]


def test_a_client_gone_mid_body_is_one_debug_line_not_a_traceback(tmp_path):
    server = serve(tmp_path / "gone.sqlite3", "--no-deliver", "--log-level", "debug")
    path = f"/v1/queues/{new_queue(server)}/messages"
    cut_short(server, path)
    wait_until(lambda: any(GONE in line or "Traceback" in line for line in console(server)), 5, "a console line")
    assert stopped(server) == [f"T POST {path}: {GONE}", "Stopped."]


def test_a_client_gone_mid_body_says_nothing_at_the_default_level(tmp_path):
    server = serve(tmp_path / "gone.sqlite3", "--no-deliver")
    queue_id = new_queue(server)
    cut_short(server, f"/v1/queues/{queue_id}/messages")
    # the server answers after it: the cut request was handled
    r = httpx.get(f"{server.endpoint}/queues/{queue_id}/messages", headers={"X-API-KEY": server.key}, timeout=5)
    assert (r.status_code, r.json()["messages"]) == (200, [])
    assert stopped(server) == ["Stopped."]


def test_uvicorn_lines_come_in_the_serve_format(tmp_path):
    server = serve(tmp_path / "tls.sqlite3", "--no-deliver")
    send_raw(server, b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(range(32)))  # a TLS ClientHello
    wait_until(lambda: any("Invalid HTTP request" in line for line in console(server)), 5, "uvicorn's warning")
    assert stopped(server) == ["T Invalid HTTP request received.", "Stopped."]


def test_uvicorn_warnings_follow_the_log_level(tmp_path):
    server = serve(tmp_path / "tls.sqlite3", "--no-deliver", "--log-level", "error")
    send_raw(server, b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(range(32)))
    r = httpx.get(f"{server.endpoint}/queues", headers={"X-API-KEY": server.key}, timeout=5)
    assert r.status_code == 200
    assert stopped(server) == ["Stopped."]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("error", ["T Exception in ASGI application: ValueError: boom"]),
        ("info", ["T Invalid HTTP request received.", "T Exception in ASGI application: ValueError: boom"]),
    ],
)
def test_routed_records_are_one_line_each_and_keep_no_traceback(level, expected):
    lines: list[str] = []
    with routed_logs(Log(lines.append, level)):
        logging.getLogger("uvicorn.error").warning("Invalid HTTP request received.")
        try:
            raise ValueError("boom")
        except ValueError as exc:
            logging.getLogger("uvicorn.error").error("Exception in ASGI application\n", exc_info=exc)
        logging.getLogger("discue.emulator").debug("not at this level")
    assert [TIME.sub("T ", line) for line in lines] == expected
    logging.getLogger("uvicorn.error").warning("after: not routed")
    assert len(lines) == len(expected)


def test_at_debug_a_routed_exception_brings_its_traceback():
    lines: list[str] = []
    with routed_logs(Log(lines.append, "debug")):
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("asyncio").exception("Task exception was never retrieved")
    [line] = lines
    first, *rest = line.splitlines()
    assert TIME.sub("T ", first) == "T Task exception was never retrieved: ValueError: boom"
    assert rest[0] == "Traceback (most recent call last):" and rest[-1] == "ValueError: boom"
