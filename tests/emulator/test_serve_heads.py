"""A request head past the cap is refused (400) at once, in bounded memory, while other clients go on.

A 400 MiB header used to be read whole, at a cost growing with its square: 294 s of server CPU and
841 MiB before its 401, other requests stalled meanwhile. Here the head never ends: before the cap it
waited for ever, its memory growing with every byte."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx

from discue_cli.emulator.server import MAX_HEAD

MiB = 1024 * 1024


def address(served) -> tuple[str, int]:
    host, port = served.endpoint.removeprefix("http://").removesuffix("/v1").split(":")
    return host, int(port)


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def flood(sock: socket.socket, total: int, sent: list[int]) -> None:
    """A header line that never ends, `total` bytes of it, until the server stops taking them."""
    chunk = b"a" * 65536
    try:
        sock.sendall(b"GET /v1/queues HTTP/1.1\r\nHost: x\r\nX-Big: ")
        while sent[0] < total:
            sock.sendall(chunk)
            sent[0] += len(chunk)
    except OSError:  # the server answered and closed: what it refuses, it stops reading
        pass


def test_a_head_past_the_cap_is_refused_at_once_and_others_go_on(served):
    assert MiB > MAX_HEAD
    pid = served.process.pid
    with httpx.Client(base_url=served.endpoint, headers={"X-API-KEY": served.key}, timeout=10) as other:
        other.get("/queues").raise_for_status()
        before = peak_rss_mib(pid) if Path(f"/proc/{pid}/status").exists() else None
        with socket.create_connection(address(served), timeout=20) as sock:
            sent = [0]
            sender = threading.Thread(target=flood, args=(sock, 64 * MiB, sent), daemon=True)
            started = time.monotonic()
            sender.start()
            while sent[0] < 2 * MAX_HEAD and sender.is_alive():  # well past the cap, or refused already
                assert time.monotonic() - started < 20, sent
                time.sleep(0.01)
            started = time.monotonic()
            assert other.get("/queues").status_code == 200  # another client, meanwhile
            assert time.monotonic() - started < 2
            reply = sock.makefile("rb").readline()  # the refusal, not a wait for the head's end
            sender.join(20)
        assert reply.split()[1] in (b"400", b"431"), reply
        assert not sender.is_alive()
        assert sent[0] < 64 * MiB  # the server stopped taking the head long before its end
        assert other.get("/queues").status_code == 200
        if before is not None:
            assert peak_rss_mib(pid) - before < 32
