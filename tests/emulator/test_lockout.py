"""Repeated invalid keys from one address lock it out (403), as the API overview says; `--no-lockout`
turns that off. In-process apps (`--local`, the test apps) never lock out."""

from __future__ import annotations

import re

import httpx
import pytest

from discue_cli.emulator.lockout import DURATION, THRESHOLD, WINDOW, Lockout
from tests.emulator.hooks import reap, serve, stop


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_threshold_within_the_window_locks_out_for_the_duration():
    clock = Clock()
    lockout = Lockout(clock=clock)
    for _ in range(THRESHOLD - 1):
        lockout.failed("10.0.0.1")
    assert lockout.seconds_left("10.0.0.1") is None
    lockout.failed("10.0.0.1")
    assert (lockout.seconds_left("10.0.0.1"), lockout.seconds_left("10.0.0.2")) == (DURATION, None)
    clock.now += DURATION - 0.5
    assert lockout.seconds_left("10.0.0.1") == 1
    clock.now += 0.5
    assert lockout.seconds_left("10.0.0.1") is None


def test_failures_older_than_the_window_are_forgotten():
    clock = Clock()
    lockout = Lockout(clock=clock)
    for _ in range(THRESHOLD - 1):
        lockout.failed("10.0.0.1")
    clock.now += WINDOW
    lockout.failed("10.0.0.1")
    assert lockout.seconds_left("10.0.0.1") is None


@pytest.fixture
def served(tmp_path, request):
    served = serve(tmp_path / "lock.sqlite3", "--no-deliver", *request.param)
    yield served
    assert stop(served.process)[0] == 0
    reap()


def bad_keys(served, count: int) -> list[int]:
    return [
        httpx.get(served.endpoint + "/queues", headers={"X-API-KEY": f"wrong-key-{n:04}"}).status_code
        for n in range(count)
    ]


@pytest.mark.parametrize("served", [()], indirect=True)
def test_a_served_discue_locks_an_address_out_and_the_cli_says_why(cli, served):
    assert bad_keys(served, THRESHOLD) == [401] * THRESHOLD
    r = httpx.get(served.endpoint + "/queues", headers={"X-API-KEY": served.key})
    assert r.status_code == 403
    assert (r.json()["title"], r.json()["status"]) == ("Forbidden", 403)
    assert re.fullmatch(
        r"too many invalid API keys from 127\.0\.0\.1: every key is refused for \d+ more s", r.json()["detail"]
    )
    result = cli("--api-endpoint", served.endpoint, "--api-key", served.key, "queues", "list")
    assert (result.exit_code, result.stdout) == (3, "")
    first = result.stderr.splitlines()[0]
    assert re.fullmatch(
        r"Error: too many invalid API keys from 127\.0\.0\.1: every key is refused for \d+ more s \(403\)", first
    )
    assert result.stderr.splitlines()[1:] == [
        "Hint: repeated invalid keys locked this address out: wait, then use a valid key "
        "(a local `discue emulator serve --no-lockout` never locks out)"
    ]


@pytest.mark.parametrize("served", [("--no-lockout",)], indirect=True)
def test_no_lockout_keeps_answering_401_and_lets_the_right_key_in(served):
    assert bad_keys(served, THRESHOLD + 2) == [401] * (THRESHOLD + 2)
    assert httpx.get(served.endpoint + "/queues", headers={"X-API-KEY": served.key}).status_code == 200


def test_in_process_apps_never_lock_out(api):
    client = api("2023-04", key="wrong-key-0123456789")
    assert {client.get("/queues").status_code for _ in range(THRESHOLD + 2)} == {401}
    assert api("2023-04").get("/queues").status_code == 200


@pytest.mark.parametrize("served", [()], indirect=True)
def test_a_forwarded_for_header_chooses_no_address(served):
    """The lock-out counts the socket's address: X-Forwarded-For neither spreads the failures over
    made-up addresses nor lets a locked-out client in."""
    for n in range(THRESHOLD):
        headers = {"X-API-KEY": "wrong-key-0123456789", "X-Forwarded-For": f"10.9.{n}.1"}
        assert httpx.get(served.endpoint + "/queues", headers=headers).status_code == 401
    headers = {"X-API-KEY": served.key, "X-Forwarded-For": "10.1.1.1"}
    assert httpx.get(served.endpoint + "/queues", headers=headers).status_code == 403
