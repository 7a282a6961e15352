"""A listener whose URLs cannot even be requested is a failing listener like any other: recorded,
retried with backoff, then missed; it slows nobody else down and costs no CPU meanwhile."""

from __future__ import annotations

import signal
import time

import pytest

from discue_cli.emulator.delivery import MAX_BACKOFF, backoff
from tests.emulator.hooks import FAST, Hook, cpu_seconds, reap, rows, seed, serve, stop, wait_until

MESSAGES = 20
BAD_NOTIFY = "http://127.0.0.1:80x/hook"  # httpx.InvalidURL, which is no httpx.HTTPError
BAD_LIVENESS = "http://127.0.0.1:99999/live"


@pytest.fixture(autouse=True)
def _reap_servers():
    yield
    reap()


@pytest.fixture
def hook():
    made = Hook()
    yield made
    made.close()


def states(db, name: str) -> list[tuple[str, int]]:
    return rows(
        db,
        "SELECT d.state, d.attempts FROM deliveries d JOIN listeners l ON l.id = d.listener_id WHERE l.name = ?",
        (name,),
    )


def liveness(db, name: str) -> tuple:
    return rows(
        db, "SELECT live_state, live_success_count, live_last_failure_msg FROM listeners WHERE name = ?", (name,)
    )[0]


def test_unrequestable_urls_are_failed_attempts_and_spare_the_other_listeners(tmp_path, hook):
    db = tmp_path / "faults.sqlite3"
    # As an old database may hold them: the API refuses such URLs now, the store does not.
    seed(db, [("bad", BAD_NOTIFY, BAD_LIVENESS), ("good", f"{hook.url}/notify", f"{hook.url}/live")], MESSAGES)
    server = serve(db, *FAST)

    wait_until(lambda: states(db, "good") == [("acked", 1)] * MESSAGES, what="the good listener has every message")
    wait_until(lambda: states(db, "bad") == [("missed", 3)] * MESSAGES, what="the bad one missed them after 3 attempts")
    wait_until(lambda: liveness(db, "good")[:2] >= ("stable", 3), what="the good listener probed again and again")
    bad_state, _, bad_message = liveness(db, "bad")
    assert (bad_state, bad_message) == ("unstable", "OverflowError: connect(): port must be 0-65535.")

    before, started = cpu_seconds(server.process.pid), time.monotonic()
    time.sleep(1.0)  # a window in which there is nothing left to deliver
    busy = (cpu_seconds(server.process.pid) - before) / (time.monotonic() - started)
    assert busy < 0.3, f"serve used {busy:.0%} of a core with nothing to deliver"

    code, took, stdout, stderr = stop(server.process, signal.SIGTERM)
    assert code == 0 and took < 5 and "Traceback" not in stderr
    # Default log level: one line per delivery outcome, one per liveness change, plus start and stop.
    assert len(stderr.splitlines()) <= 2 * MESSAGES + 10
    assert "deliver bad message" in stderr and "missed after 3 attempts (last: InvalidURL: Invalid port" in stderr


def test_backoff_is_capped_however_many_attempts():
    assert backoff(0.1, 1) == 0.1 and backoff(0.1, 3) == pytest.approx(0.4)
    assert backoff(1.0, 100) == backoff(3600.0, 5) == MAX_BACKOFF


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--retry-base", "nan"),
        ("--retry-base", "inf"),
        ("--retry-base", "0"),
        ("--retry-base", "-1"),
        ("--delivery-timeout", "nan"),
        ("--delivery-timeout", "1e9"),
        ("--liveness-interval", "inf"),
        ("--liveness-interval", "0"),
    ],
)
def test_durations_must_be_finite_and_sane(cli, tmp_path, flag, value):
    result = cli("emulator", "serve", "--port", "0", "--db", str(tmp_path / "x.sqlite3"), flag, value)
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: {flag} must be a number of seconds from ")
    assert not (tmp_path / "x.sqlite3").exists()
