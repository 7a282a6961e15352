"""One `emulator serve` per database: a second would deliver every message twice. `--local` runs beside it."""

from __future__ import annotations

import signal

import pytest

from tests.emulator.hooks import FAST, Hook, finish, mode, reap, rows, seed, serve, spawn_serve, stop, wait_until


@pytest.fixture(autouse=True)
def _reap_servers():
    yield
    reap()


def lock_of(db):
    return db.with_name(db.name + ".lock")


def test_a_second_serve_on_the_same_database_refuses_naming_the_first(tmp_path):
    db = tmp_path / "one.sqlite3"
    first = serve(db, "--no-deliver")
    assert mode(lock_of(db)) == 0o600
    second = spawn_serve(db, "--no-deliver")
    stdout, stderr = finish(second)
    assert (second.returncode, stdout) == (2, "")
    assert stderr == (
        f"Error: database {db} is served by process {first.process.pid} (emulator serve); stop it or use another --db\n"
    )
    assert stop(first.process)[0] == 0
    assert not lock_of(db).exists(), "the lock file outlived its server"


def test_of_two_serves_started_at_once_exactly_one_serves(tmp_path):
    db = tmp_path / "race.sqlite3"
    racers = [spawn_serve(db, "--no-deliver") for _ in range(2)]
    wait_until(lambda: any(r.poll() is not None for r in racers), what="one of them gave up")
    [loser] = [r for r in racers if r.poll() is not None]
    [winner] = [r for r in racers if r is not loser]
    said = f"Error: database {db} is served by {{}} (emulator serve); stop it or use another --db\n"
    # the winner's pid, or, when the loser came between the winner's lock and its writing its pid, no pid
    assert loser.returncode == 2
    assert finish(loser)[1] in (said.format(f"process {winner.pid}"), said.format("another process"))
    assert winner.stdout.readline().startswith("export DISCUE_API_ENDPOINT=")
    assert stop(winner, signal.SIGINT)[0] == 0


def test_the_lock_of_a_killed_server_does_not_block(tmp_path):
    db = tmp_path / "stale.sqlite3"
    killed = serve(db, "--no-deliver")
    killed.process.kill()
    killed.process.wait()
    assert lock_of(db).read_text() == f"{killed.process.pid}\n"  # left behind, with a dead pid in it
    again = serve(db, "--no-deliver")
    assert lock_of(db).read_text() == f"{again.process.pid}\n"
    assert stop(again.process)[0] == 0


def test_local_commands_work_beside_a_serve_and_it_delivers_what_they_add(tmp_path, monkeypatch, cli):
    db = tmp_path / "shared.sqlite3"
    hook = Hook()
    try:
        seed(db, [("hook", f"{hook.url}/notify", f"{hook.url}/live")], 0)
        server = serve(db, *FAST)
        monkeypatch.setenv("DISCUE_LOCAL_DB", str(db))
        for i in range(3):
            assert cli("--local", "messages", "add", "q", f"from local {i}", "-q").exit_code == 0
        assert len(cli("--local", "messages", "list", "q").stdout.splitlines()) == 3
        wait_until(lambda: len(rows(db, "SELECT 1 FROM deliveries WHERE state = 'acked'")) == 3, what="3 acked")
        assert sorted(body["data"] for _, body in hook.posts) == ["from local 0", "from local 1", "from local 2"]
        assert stop(server.process)[0] == 0
    finally:
        hook.close()
