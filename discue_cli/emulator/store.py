"""Persistence for the local discue: one SQLite database in WAL mode.

Every write is its own transaction, committed before the reply goes out, so nothing
acknowledged is lost when the process stops.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queues (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS listeners (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  queue_id TEXT NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  notify_url TEXT NOT NULL,
  liveness_url TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  live_state TEXT NOT NULL DEFAULT 'unknown',
  live_success_count INTEGER NOT NULL DEFAULT 0,
  live_last_success_at INTEGER,
  live_failure_count INTEGER NOT NULL DEFAULT 0,
  live_last_failure_status INTEGER,
  live_last_failure_at INTEGER,
  live_last_failure_msg TEXT
);
CREATE INDEX IF NOT EXISTS listeners_queue ON listeners(queue_id);
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  queue_id TEXT NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
  name TEXT,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_queue ON messages(queue_id, seq);
CREATE TABLE IF NOT EXISTS deliveries (
  message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  listener_id TEXT NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_status INTEGER,
  last_attempt_at INTEGER,
  last_failure_at INTEGER,
  acked_at INTEGER,
  PRIMARY KEY (message_id, listener_id)
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, next_attempt_at);
CREATE INDEX IF NOT EXISTS deliveries_listener ON deliveries(listener_id, state);
CREATE TABLE IF NOT EXISTS api_keys (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT,
  key_hash TEXT NOT NULL UNIQUE,
  key_prefix TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'enabled',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE TABLE IF NOT EXISTS api_clients (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT,
  created_at INTEGER NOT NULL
);
"""


def now_ms() -> int:
    return int(time.time() * 1000)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class NameTaken(Exception):
    """A queue with that name exists already."""


class StoreUnavailable(Exception):
    """The database file cannot be opened or is not a discue database."""


class Store:
    """All reads and writes of the local discue."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.lock = threading.RLock()
        self._last_used: dict[str, int] = {}
        try:
            if str(path) != ":memory:":
                self._make_private(self.path)
            self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA busy_timeout=10000")
            self.db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise StoreUnavailable(f"cannot use {path} as the local discue's database: {reason}") from None

    def close(self) -> None:
        with self.lock:
            self.db.close()

    def _write(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.db.execute(sql, args)

    def _tx(self, statements: list[tuple[str, tuple]]) -> None:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    self.db.execute(sql, args)
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def _one(self, sql: str, args: tuple = ()) -> dict[str, Any] | None:
        with self.lock:
            row = self.db.execute(sql, args).fetchone()
        return dict(row) if row else None

    def _all(self, sql: str, args: tuple = ()) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(r) for r in self.db.execute(sql, args).fetchall()]

    # -- meta

    def root_key(self, wanted: str | None = None) -> str:
        """The key `emulator serve` accepts: the one given, else one kept in the database."""
        if wanted:
            return wanted
        row = self._one("SELECT value FROM meta WHERE key = 'root_key'")
        if row:
            return row["value"]
        key = "local-" + secrets.token_urlsafe(24)
        self._write("INSERT OR IGNORE INTO meta (key, value) VALUES ('root_key', ?)", (key,))
        return self._one("SELECT value FROM meta WHERE key = 'root_key'")["value"]

    # -- queues

    def list_queues(self) -> list[dict[str, Any]]:
        return self._all("SELECT id, name FROM queues ORDER BY seq")

    def get_queue(self, queue_id: str) -> dict[str, Any] | None:
        queue = self._one("SELECT id, name, created_at FROM queues WHERE id = ?", (queue_id,))
        if queue:
            queue["listeners"] = self._all(
                "SELECT id, name FROM listeners WHERE queue_id = ? ORDER BY seq", (queue_id,)
            )
        return queue

    def create_queue(self, name: str) -> dict[str, Any]:
        queue_id = str(uuid.uuid4())
        try:
            self._write("INSERT INTO queues (id, name, created_at) VALUES (?, ?, ?)", (queue_id, name, now_ms()))
        except sqlite3.IntegrityError:
            raise NameTaken(name) from None
        return self.get_queue(queue_id)

    def rename_queue(self, queue_id: str, name: str | None) -> dict[str, Any] | None:
        if name is not None:
            try:
                self._write("UPDATE queues SET name = ? WHERE id = ?", (name, queue_id))
            except sqlite3.IntegrityError:
                raise NameTaken(name) from None
        return self.get_queue(queue_id)

    def delete_queue(self, queue_id: str) -> bool:
        return self._write("DELETE FROM queues WHERE id = ?", (queue_id,)).rowcount > 0

    # -- listeners

    LISTENER_COLUMNS = (
        "id, queue_id, name, notify_url, liveness_url, created_at, live_state, live_success_count,"
        " live_last_success_at, live_failure_count, live_last_failure_status, live_last_failure_at,"
        " live_last_failure_msg"
    )

    def list_listeners(self, queue_id: str | None = None) -> list[dict[str, Any]]:
        if queue_id is None:
            return self._all(f"SELECT {self.LISTENER_COLUMNS} FROM listeners ORDER BY seq")
        return self._all(f"SELECT {self.LISTENER_COLUMNS} FROM listeners WHERE queue_id = ? ORDER BY seq", (queue_id,))

    def get_listener(self, queue_id: str, listener_id: str) -> dict[str, Any] | None:
        return self._one(
            f"SELECT {self.LISTENER_COLUMNS} FROM listeners WHERE queue_id = ? AND id = ?",
            (queue_id, listener_id),
        )

    def add_listener(self, queue_id: str, name: str, notify_url: str, liveness_url: str) -> dict[str, Any]:
        listener_id = str(uuid.uuid4())
        self._write(
            "INSERT INTO listeners (id, queue_id, name, notify_url, liveness_url, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (listener_id, queue_id, name, notify_url, liveness_url, now_ms()),
        )
        return self.get_listener(queue_id, listener_id)

    def update_listener(self, queue_id: str, listener_id: str, changes: dict[str, str]) -> dict[str, Any] | None:
        for column in ("name", "notify_url", "liveness_url"):
            if column in changes:
                self._write(
                    f"UPDATE listeners SET {column} = ? WHERE queue_id = ? AND id = ?",
                    (changes[column], queue_id, listener_id),
                )
        return self.get_listener(queue_id, listener_id)

    def delete_listener(self, queue_id: str, listener_id: str) -> bool:
        cursor = self._write("DELETE FROM listeners WHERE queue_id = ? AND id = ?", (queue_id, listener_id))
        return cursor.rowcount > 0

    def delivery_figures(self, listener_id: str) -> dict[str, Any]:
        """The `messages` block of a listener: acknowledged, missed, last success and failure."""
        row = (
            self._one(
                "SELECT SUM(state = 'acked') AS acked, MAX(acked_at) AS last_success,"
                " MAX(last_failure_at) AS last_failure"
                " FROM deliveries WHERE listener_id = ?",
                (listener_id,),
            )
            or {}
        )
        missed = [
            r["message_id"]
            for r in self._all(
                "SELECT d.message_id FROM deliveries d JOIN messages m ON m.id = d.message_id"
                " WHERE d.listener_id = ? AND d.state = 'missed' ORDER BY m.seq",
                (listener_id,),
            )
        ]
        return {
            "acknowledged_count": row.get("acked") or 0,
            "last_success_at": row.get("last_success"),
            "last_failure_at": row.get("last_failure"),
            "missed": missed,
            "missed_count": len(missed),
        }

    # -- messages

    def list_messages(self, queue_id: str | None = None) -> list[dict[str, Any]]:
        columns = "id, queue_id, name, data, created_at"
        if queue_id is None:
            return self._all(f"SELECT {columns} FROM messages ORDER BY seq")
        return self._all(f"SELECT {columns} FROM messages WHERE queue_id = ? ORDER BY seq", (queue_id,))

    def get_message(self, queue_id: str, message_id: str) -> dict[str, Any] | None:
        return self._one(
            "SELECT id, queue_id, name, data, created_at FROM messages WHERE queue_id = ? AND id = ?",
            (queue_id, message_id),
        )

    def add_message(self, queue_id: str, data: str) -> dict[str, Any]:
        """Store a message and, in the same transaction, one pending delivery per listener it predates."""
        message_id = str(uuid.uuid4())
        created = now_ms()
        self._tx(
            [
                (
                    "INSERT INTO messages (id, queue_id, name, data, created_at) VALUES (?, ?, NULL, ?, ?)",
                    (message_id, queue_id, data, created),
                ),
                (
                    "INSERT INTO deliveries (message_id, listener_id, next_attempt_at)"
                    " SELECT ?, id, ? FROM listeners WHERE queue_id = ?",
                    (message_id, created, queue_id),
                ),
            ]
        )
        return {"id": message_id, "queue_id": queue_id, "name": None, "data": data, "created_at": created}

    def rename_message(self, queue_id: str, message_id: str, name: str | None) -> dict[str, Any] | None:
        if name is not None:
            self._write("UPDATE messages SET name = ? WHERE queue_id = ? AND id = ?", (name, queue_id, message_id))
        return self.get_message(queue_id, message_id)

    def delete_message(self, queue_id: str, message_id: str) -> bool:
        cursor = self._write("DELETE FROM messages WHERE queue_id = ? AND id = ?", (queue_id, message_id))
        return cursor.rowcount > 0

    def queue_exists(self, queue_id: str) -> bool:
        return self._one("SELECT 1 AS x FROM queues WHERE id = ?", (queue_id,)) is not None

    # -- api keys and clients

    KEY_COLUMNS = "id, name, key_prefix, status, created_at, updated_at, last_used_at"

    def check_key(self, key: str) -> bool:
        """Whether `key` is an enabled key; notes its use at most once a second."""
        row = self._one("SELECT id, status FROM api_keys WHERE key_hash = ?", (hash_key(key),))
        if not row or row["status"] != "enabled":
            return False
        now = now_ms()
        if now - self._last_used.get(row["id"], 0) >= 1000:
            self._last_used[row["id"]] = now
            self._write("UPDATE api_keys SET last_used_at = ? WHERE id = ?", (now, row["id"]))
        return True

    def create_api_key(self, name: str | None) -> tuple[dict[str, Any], str]:
        secret = secrets.token_urlsafe(48)
        key_id = str(uuid.uuid4())
        now = now_ms()
        self._write(
            "INSERT INTO api_keys (id, name, key_hash, key_prefix, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'enabled', ?, ?)",
            (key_id, name, hash_key(secret), secret[:3], now, now),
        )
        return self.get_api_key(key_id), secret

    def list_api_keys(self) -> list[dict[str, Any]]:
        return self._all(f"SELECT {self.KEY_COLUMNS} FROM api_keys ORDER BY seq")

    def get_api_key(self, key_id: str) -> dict[str, Any] | None:
        return self._one(f"SELECT {self.KEY_COLUMNS} FROM api_keys WHERE id = ?", (key_id,))

    def update_api_key(self, key_id: str, changes: dict[str, str]) -> dict[str, Any] | None:
        for column in ("name", "status"):
            if column in changes:
                self._write(
                    f"UPDATE api_keys SET {column} = ?, updated_at = ? WHERE id = ?",
                    (changes[column], now_ms(), key_id),
                )
        return self.get_api_key(key_id)

    def delete_api_key(self, key_id: str) -> bool:
        return self._write("DELETE FROM api_keys WHERE id = ?", (key_id,)).rowcount > 0

    def create_api_client(self, name: str | None) -> dict[str, Any]:
        client_id = str(uuid.uuid4())
        self._write("INSERT INTO api_clients (id, name, created_at) VALUES (?, ?, ?)", (client_id, name, now_ms()))
        return {"id": client_id, "name": name}

    # -- deliveries (used by the broadcaster of `emulator serve`)

    def due_deliveries(self, now: int, limit: int, exclude_listeners: list[str] = ()) -> list[dict[str, Any]]:
        """Pending deliveries whose time has come, skipping listeners that are busy enough already."""
        skip = ",".join("?" * len(exclude_listeners))
        where = f" AND d.listener_id NOT IN ({skip})" if exclude_listeners else ""
        return self._all(
            "SELECT d.message_id, d.listener_id, d.attempts, m.queue_id, m.data, l.notify_url, l.name"
            " AS listener_name FROM deliveries d JOIN messages m ON m.id = d.message_id"
            " JOIN listeners l ON l.id = d.listener_id"
            f" WHERE d.state = 'pending' AND d.next_attempt_at <= ?{where}"
            " ORDER BY d.next_attempt_at, m.seq LIMIT ?",
            (now, *exclude_listeners, limit),
        )

    def next_due_at(self) -> int | None:
        row = self._one("SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE state = 'pending'")
        return row["t"] if row else None

    def record_attempt(
        self, message_id: str, listener_id: str, status: int | None, *, acked: bool, next_at: int | None
    ) -> None:
        """One delivery attempt: acked, retried at `next_at`, or missed when `next_at` is None."""
        now = now_ms()
        state = "acked" if acked else ("pending" if next_at is not None else "missed")
        self._write(
            "UPDATE deliveries SET state = ?, attempts = attempts + 1, last_status = ?, last_attempt_at = ?,"
            " next_attempt_at = COALESCE(?, next_attempt_at), acked_at = CASE WHEN ? THEN ? END,"
            " last_failure_at = CASE WHEN ? THEN last_failure_at ELSE ? END"
            " WHERE message_id = ? AND listener_id = ? AND state = 'pending'",
            (state, status, now, next_at, acked, now, acked, now, message_id, listener_id),
        )

    def record_liveness(self, listener_id: str, ok: bool, status: int | None, message: str | None) -> None:
        now = now_ms()
        if ok:
            self._write(
                "UPDATE listeners SET live_state = 'stable', live_success_count = live_success_count + 1,"
                " live_last_success_at = ? WHERE id = ?",
                (now, listener_id),
            )
        else:
            self._write(
                "UPDATE listeners SET live_state = 'unstable', live_failure_count = live_failure_count + 1,"
                " live_last_failure_status = ?, live_last_failure_at = ?, live_last_failure_msg = ?"
                " WHERE id = ?",
                (status, now, message, listener_id),
            )

    # -- appended for `emulator serve`: interrupted attempts, the export lines, private files

    def record_interrupted(self, message_id: str, listener_id: str) -> None:
        """An attempt cut short by a stop: it counts (the listener may have it), and is due again at once."""
        self._write(
            "UPDATE deliveries SET attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = ?"
            " WHERE message_id = ? AND listener_id = ? AND state = 'pending'",
            (now_ms(), now_ms(), message_id, listener_id),
        )

    def remember_serve_exports(self, lines: list[str]) -> None:
        """The export lines of the serve starting now, for `emulator env`."""
        self._write(
            "INSERT INTO meta (key, value) VALUES ('serve_exports', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            ("\n".join(lines),),
        )

    @staticmethod
    def last_serve_exports(path: Path | str) -> list[str] | None:
        """The export lines of the last serve on the database at `path`, read without creating anything.

        None when it was never served; FileNotFoundError when there is no such file; StoreUnavailable
        when it is not a database."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(path)
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
            try:
                row = db.execute("SELECT value FROM meta WHERE key = 'serve_exports'").fetchone()
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):
                    return None
                raise
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot read {path}: {exc}") from None
        return row[0].split("\n") if row else None

    @classmethod
    def _make_private(cls, path: Path) -> None:
        """The database holds the emulator's key in plain text: only its owner may read it.

        Missing directories are made 0700, the file 0600; SQLite gives the -wal and -shm files it
        creates the database's mode, and older ones are tightened here."""
        cls._make_private_dirs(path.parent)
        cls._make_private_file(path)
        for suffix in ("-wal", "-shm"):
            cls._make_private_file(path.with_name(path.name + suffix), create=False)

    @staticmethod
    def _make_private_dirs(directory: Path) -> None:
        """Create the missing directories of `directory`, each 0700 (as the XDG spec asks)."""
        missing = []
        while not directory.exists():
            missing.append(directory)
            directory = directory.parent
        for path in reversed(missing):
            path.mkdir(mode=0o700, exist_ok=True)

    @staticmethod
    def _make_private_file(path: Path, *, create: bool = True) -> None:
        """Create `path` 0600 if it is missing; take group and other access away if we own it."""
        import os
        import stat

        if create:
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        try:
            info = path.stat()
        except FileNotFoundError:
            return
        owned = info.st_uid == os.getuid() if hasattr(os, "getuid") else False
        if info.st_mode & 0o077 and owned and stat.S_ISREG(info.st_mode):
            os.chmod(path, 0o600)
