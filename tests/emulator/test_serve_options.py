"""serve's --db (whose directory must exist), the privacy of the files it keeps, and --api-version."""

from __future__ import annotations

import os
import sqlite3

import pytest

from discue_cli.emulator import server
from discue_cli.emulator.server import Log, ServeOptions, build_app
from discue_cli.emulator.store import Store
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
    assert result.stderr == "Error: --api-version must be one of 2022-05, 2023-04, 2024-08, not '2021-01'\n"


def test_serve_with_an_api_version_prints_the_same_export_lines(cli, tmp_path):
    db = tmp_path / "gen.sqlite3"
    served = serve(db, "--no-deliver", "--api-version", "2024-08")
    assert exports_of(served).startswith("export DISCUE_API_ENDPOINT=http://127.0.0.1:")
    assert cli("emulator", "env", "--db", str(db)).stdout == exports_of(served)
    assert stop(served.process)[0] == 0


def test_the_generation_goes_to_create_app_when_it_takes_one(monkeypatch, tmp_path):
    seen = {}

    def create_app(db, *, require_key, api_key, lifespan, generation):
        seen.update(generation=generation, api_key=api_key)
        return "app"

    monkeypatch.setattr(server, "create_app", create_app)
    logged = []
    options = ServeOptions(api_version="2024-08")
    assert build_app("store", options, "k", None, Log(logged.append)) == "app"
    assert seen == {"generation": "2024-08", "api_key": "k"} and logged == []


def test_a_create_app_without_generations_is_said_to_ignore_the_option(monkeypatch):
    monkeypatch.setattr(server, "create_app", lambda db, *, require_key, api_key, lifespan: "app")
    logged = []
    assert build_app("store", ServeOptions(api_version="2022-05"), "k", None, Log(logged.append)) == "app"
    assert logged == ["Warning: this build serves only the 2023-04 API; --api-version ignored"]
