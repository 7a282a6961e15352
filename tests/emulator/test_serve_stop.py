"""`emulator serve` stops promptly and cleanly on Ctrl-C and SIGTERM, whatever it is doing."""

from __future__ import annotations

import signal
import socket
import time

import httpx
import pytest

from tests.emulator.hooks import FAST, Hook, acked, reap, rows, seed, serve, spawn_serve, stop, wait_until

LISTENERS = 4
MESSAGES = 150
STOPS = [signal.SIGTERM, signal.SIGINT]


@pytest.fixture(autouse=True)
def _reap_servers():
    yield
    reap()


@pytest.fixture
def hook():
    made = Hook(delay=0.02)
    yield made
    made.close()


def half_sent_request(server) -> socket.socket:
    """A request whose body never comes: uvicorn waits for it through its grace period at a stop."""
    host, port = server.endpoint.removeprefix("http://").split("/")[0].rsplit(":", 1)
    client = socket.create_connection((host, int(port)))
    head = f"POST /v1/queues HTTP/1.1\r\nHost: {host}\r\nX-API-KEY: {server.key}\r\nContent-Type: application/json"
    client.sendall(f"{head}\r\nContent-Length: 100\r\n\r\n{{".encode())
    # Once a later request is answered, the server has read this one's head: it is in progress.
    assert httpx.get(server.endpoint + "/queues", headers={"X-API-KEY": server.key}).status_code == 200
    return client


def attempted(db) -> set[tuple[str, str]]:
    return set(rows(db, "SELECT message_id, listener_id FROM deliveries WHERE attempts > 0"))


@pytest.mark.parametrize("sig", STOPS, ids=["SIGTERM", "SIGINT"])
def test_a_stop_mid_delivery_is_prompt_and_no_delivery_is_repeated_as_the_same_attempt(tmp_path, hook, sig):
    db = tmp_path / "busy.sqlite3"
    seed(db, [(f"l{i}", f"{hook.url}/notify{i}", f"{hook.url}/live") for i in range(LISTENERS)], MESSAGES)
    server = serve(db, *FAST, "--delivery-concurrency", "256")
    wait_until(lambda: hook.count() >= 100, what="100 deliveries under way")
    # A client mid-request keeps uvicorn draining for its grace period: no delivery may start meanwhile.
    half_sent = half_sent_request(server)

    signalled = time.monotonic()
    code, took, stdout, stderr = stop(server.process, sig)
    # A delivery the broadcaster started just before the signal may still be connecting on a busy machine;
    # one started after it would keep coming for the whole drain (the half-sent request holds it 3 s).
    assert hook.arrivals_after(signalled + 1.5) == [], "a delivery started after the signal"
    assert (code, stdout) == (0, "# API generation: 2023-04\n")  # the line after the exports
    assert took < 5, f"took {took:.1f}s to stop"
    assert "Traceback" not in stderr and stderr.endswith("Stopped.\n")
    assert half_sent.recv(1000).startswith(b"HTTP/1.1 503 "), "the request cut off by the stop got no 503"
    half_sent.close()
    first_run = hook.received()
    assert max(first_run.values()) == 1, "a delivery went out twice before the stop"
    assert set(first_run) <= attempted(db), "a delivery went out and was not recorded"
    done = acked(db)
    assert done and done <= set(first_run)

    seen = hook.count()
    again = serve(db, *FAST, "--delivery-concurrency", "256")
    try:
        wait_until(lambda: len(acked(db)) == LISTENERS * MESSAGES, what="every delivery acknowledged")
    finally:
        assert stop(again.process, sig)[0] == 0
    second_run = [((b["message_id"], b["listener_id"]), b["attempt"]) for _, b in hook.posts[seen:]]
    assert not done & {key for key, _ in second_run}, "an acknowledged delivery was sent again"
    assert len(second_run) == len(dict(second_run)), "a delivery went out twice after the restart"
    assert all(attempt >= 2 for key, attempt in second_run if key in first_run), "a repeat claimed to be attempt 1"


@pytest.mark.parametrize("sig", STOPS, ids=["SIGTERM", "SIGINT"])
def test_a_stop_while_starting_is_clean(tmp_path, sig):
    db = tmp_path / "starting.sqlite3"
    process = spawn_serve(db, "--no-deliver")
    wait_until(lambda: db.with_name(db.name + ".lock").exists() or process.poll() is not None, what="serve starting")
    code, took, stdout, stderr = stop(process, sig)
    assert code == 0 and took < 5
    assert "Traceback" not in stderr and stderr.endswith("Stopped.\n")
    names = [line.partition("=")[0] for line in stdout.splitlines()]
    assert names in ([], ["export DISCUE_API_ENDPOINT", "export DISCUE_API_KEY", "# API generation: 2023-04"])


@pytest.mark.parametrize("sig", STOPS, ids=["SIGTERM", "SIGINT"])
def test_a_stop_when_idle_is_clean(tmp_path, sig):
    server = serve(tmp_path / "idle.sqlite3", *FAST)
    code, took, stdout, stderr = stop(server.process, sig)
    assert (code, stdout) == (0, "# API generation: 2023-04\n") and took < 5
    assert "Traceback" not in stderr and stderr.endswith("Stopped.\n")
