"""serve's --db (whose directory must exist), the privacy of the files it keeps, and --api-version."""

from __future__ import annotations

import os
import sqlite3
import sys

import pytest

from discue_cli.emulator.store import Store
from tests.conftest import start_server
from tests.emulator.hooks import exports_of, mode, reap, serve, spawn_serve, stop


@pytest.fixture(autouse=True)
def _reap_servers():
    yield
    reap()


def test_a_db_in_a_missing_directory_is_refused_and_nothing_is_created(cli, tmp_path):
    db = tmp_path / "no" / "such" / "x.sqlite3"
    result = cli("emulator", "serve", "--port", "0", "--db", str(db))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: directory {db.parent} does not exist (--db {db})\n"
    assert not (tmp_path / "no").exists()


def test_the_default_database_is_created_with_its_directories_all_private(tmp_path):
    db = tmp_path / "home" / "data" / "local.sqlite3"
    process = spawn_serve(None, "--no-deliver", env={"DISCUE_LOCAL_DB": str(db)})
    assert process.stdout.readline().startswith("export DISCUE_API_ENDPOINT=")
    assert (mode(tmp_path / "home"), mode(db.parent)) == (0o700, 0o700)
    assert [mode(db.with_name(db.name + suffix)) for suffix in ("", "-wal", "-shm", ".lock")] == [0o600] * 4
    assert stop(process)[0] == 0


def test_local_creates_its_database_private_too(local, isolated):
    assert local("queues", "list").exit_code == 0
    db = isolated / "data" / "local.sqlite3"
    assert (mode(db.parent), mode(db)) == (0o700, 0o600)


def test_an_existing_database_readable_by_others_is_made_private(tmp_path):
    db = tmp_path / "old.sqlite3"
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (x)")
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        os.chmod(path, 0o644)
    Store(db).close()
    connection.close()
    assert mode(db) == 0o600
    assert all(mode(p) == 0o600 for p in tmp_path.glob("old.sqlite3-*"))


def test_an_unknown_api_version_is_a_usage_error_naming_the_accepted_ones(cli, tmp_path):
    result = cli("emulator", "serve", "--db", str(tmp_path / "x.sqlite3"), "--api-version", "2021-01")
    assert (result.exit_code, result.stdout) == (2, "")
    # the same words as the global --api-version's (which also takes auto)
    why = "unknown API generation '2021-01'"
    assert result.stderr == f"Error: --api-version: {why} (expected 2022-05, 2023-04, 2024-08)\n"
    result = cli("--api-version", "2021-01", "--local", "queues", "list")
    assert result.stderr == f"Error: --api-version: {why} (expected 2022-05, 2023-04, 2024-08 or auto)\n"


def test_serve_with_an_api_version_prints_the_same_export_lines(cli, tmp_path):
    db = tmp_path / "gen.sqlite3"
    served = serve(db, "--no-deliver", "--api-version", "2024-08")
    assert exports_of(served).startswith("export DISCUE_API_ENDPOINT=http://127.0.0.1:")
    # the generation served: a comment beside the exports (an export would pin every later command)
    assert cli("emulator", "env", "--db", str(db)).stdout == exports_of(served, "2024-08")
    assert stop(served.process)[0] == 0


def test_serve_speaks_the_generation_asked_for_and_2023_04_by_default(tmp_path):
    import httpx

    for flag, body, field in ((), {"name": "orders"}, "name"), (("--api-version", "2024-08"), {"alias": "o2"}, "alias"):
        served = start_server(tmp_path / f"gen{len(flag)}.sqlite3", "--no-deliver", *flag)
        try:
            headers = {"X-API-KEY": served.key}
            reply = httpx.post(served.endpoint + "/queues", json=body, headers=headers).json()
            assert reply["queue"][field] == body[field]
            assert len(reply["queue"]["id"]) == 21  # ids of the 2023-04 generation on
            assert "listeners" not in reply["queue"]  # gone since 2022-05
        finally:
            served.stop()


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("", "--api-key: the API key is empty or contains white space"),
        ("a b;echo PWNED", "--api-key: the API key is empty or contains white space"),
        ("kéy-0123456789", "--api-key: the API key must be printable ASCII"),
    ],
)
def test_a_key_the_cli_could_not_send_is_refused(cli, tmp_path, key, why):
    result = cli("emulator", "serve", "--db", str(tmp_path / "k.sqlite3"), "--api-key", key)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"Error: {why}\n")


def test_the_export_lines_are_safe_to_eval(tmp_path):
    """A key with shell metacharacters is quoted: `eval "$(discue emulator env)"` sets it, runs nothing."""
    import subprocess

    db = tmp_path / "q.sqlite3"
    key = "k;touch${IFS}PWNED;$(id)`x`'q"
    served = start_server(db, "--no-deliver", key=key)
    try:
        env_lines = f'"{sys.executable}" -m discue_cli emulator env --db {db} 2>/dev/null'
        script = f'eval "$({env_lines})"; printf %s "$DISCUE_API_KEY"'
        shown = subprocess.run(["sh", "-c", script], capture_output=True, text=True, cwd=tmp_path).stdout
    finally:
        served.stop()
    assert shown == key
    assert not (tmp_path / "PWNED").exists()
