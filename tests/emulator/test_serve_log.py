"""`--log-level`: the serve console says as much as asked; `emulator env` prints the export lines again."""

from __future__ import annotations

import re

import pytest

from discue_cli.emulator.store import Store
from tests.emulator.hooks import FAST, Hook, exports_of, reap, rows, seed, serve, stop, wait_until


@pytest.fixture(autouse=True)
def _reap_servers():
    yield
    reap()


@pytest.fixture
def flaky_and_dead():
    hooks = Hook(script=[500]), Hook(status=500)
    yield hooks
    for hook in hooks:
        hook.close()


def run_scenario(db, level: str, flaky: Hook, dead: Hook) -> list[str]:
    """One message to a listener that fails once, and to one that always fails: the console, normalised."""
    seed(db, [("flaky", f"{flaky.url}/notify", f"{flaky.url}/live"), ("dead", f"{dead.url}/n", f"{dead.url}/live")], 1)
    server = serve(db, *FAST, *(["--log-level", level] if level else []))
    wait_until(lambda: rows(db, "SELECT state FROM deliveries ORDER BY state") == [("acked",), ("missed",)])
    wait_until(lambda: len(flaky.posts) == 2 and len(dead.posts) == 3)
    code, _, stdout, stderr = stop(server.process)
    assert (code, stdout) == (0, "# API generation: 2023-04\n")  # the line after the two exports
    [message_id] = rows(db, "SELECT id FROM messages")[0]
    lines = [line.replace(message_id, "M") for line in stderr.splitlines()]
    lines = [re.sub(r"^\d\d:\d\d:\d\d ", "", re.sub(r"\d+ms\b", "Nms", line)) for line in lines]
    return [line for line in lines if not line.startswith("liveness ")]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("error", ["Stopped."]),
        ("warning", ["deliver dead message M: missed after 3 attempts (last: 500)", "Stopped."]),
        (
            "",  # the default: info
            [
                "deliver flaky message M: delivered on attempt 2 (200, Nms)",
                "deliver dead message M: missed after 3 attempts (last: 500)",
                "Stopped.",
            ],
        ),
        (
            "debug",
            [
                "deliver flaky message M attempt 1: 500 (retry in 0.1s) Nms",
                "deliver dead message M attempt 1: 500 (retry in 0.1s) Nms",
                "deliver flaky message M attempt 2: 200 Nms",
                "deliver flaky message M: delivered on attempt 2 (200, Nms)",
                "deliver dead message M attempt 2: 500 (retry in 0.2s) Nms",
                "deliver dead message M attempt 3: 500 (missed) Nms",
                "deliver dead message M: missed after 3 attempts (last: 500)",
                "Stopped.",
            ],
        ),
    ],
)
def test_the_log_level_sets_how_much_the_console_says(tmp_path, flaky_and_dead, level, expected):
    lines = run_scenario(tmp_path / "log.sqlite3", level, *flaky_and_dead)
    if level in ("", "debug"):
        assert lines[0].startswith("local discue on http://127.0.0.1:")
        lines = lines[1:]
    # the two listeners' lines interleave as their attempts do: compare each listener's lines in order
    for name in ("flaky", "dead"):
        assert [x for x in lines if f" {name} " in x] == [x for x in expected if f" {name} " in x]
    assert lines[-1] == "Stopped." and len(lines) == len(expected)


def test_an_unknown_log_level_is_a_usage_error(cli, tmp_path):
    result = cli("emulator", "serve", "--db", str(tmp_path / "x.sqlite3"), "--log-level", "loud")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "Error: --log-level must be one of error, warning, info, debug, not 'loud'\n"


def test_env_prints_the_export_lines_of_the_last_serve_again(cli, tmp_path):
    db = tmp_path / "env.sqlite3"
    server = serve(db, "--no-deliver", key=None)
    running = cli("emulator", "env", "--db", str(db))
    assert (running.exit_code, running.stdout, running.stderr) == (0, exports_of(server), "")
    assert stop(server.process)[0] == 0
    stopped = cli("emulator", "env", "--db", str(db))
    assert (stopped.exit_code, stopped.stdout) == (0, exports_of(server))
    assert stopped.stderr == f"Note: no `emulator serve` runs on {db} now; these lines are from its last run.\n"


def test_env_of_a_database_never_served_is_not_found(cli, tmp_path):
    db = tmp_path / "never.sqlite3"
    Store(db).close()  # a --local database, say
    result = cli("emulator", "env", "--db", str(db))
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr == f"Error: no `emulator serve` ran on {db} yet\n"


def test_env_of_a_missing_database_is_not_found_and_creates_nothing(cli, tmp_path, isolated):
    for args, path in (
        (["--db", str(tmp_path / "nope" / "x.sqlite3")], tmp_path / "nope" / "x.sqlite3"),
        ([], tmp_path / "data" / "local.sqlite3"),
    ):
        result = cli("emulator", "env", *args)
        assert (result.exit_code, result.stdout) == (4, "")
        assert result.stderr == f"Error: no database at {path}, so no `emulator serve` ran on it\n"
        assert not path.parent.exists()
