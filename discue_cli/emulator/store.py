"""Persistence for the local discue: one SQLite database in WAL mode, shared by every API generation.

Every write is its own transaction, committed before the reply goes out, so nothing
acknowledged is lost when the process stops. A write records its usage event (`GET /events`,
`GET /stats/messages`) in the same transaction.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from discue_cli.emulator.checkpoint import SAFETY_PAGES, WAL_LIMIT, Checkpointer
from discue_cli.emulator.files import make_private
from discue_cli.emulator.snapshot import MESSAGE_COLUMNS, MessageSnapshot
from discue_cli.emulator.tables import SCHEMA, UPGRADES

DAY_MS = 24 * 3600 * 1000
CHALLENGE_TTL_MS = 7 * DAY_MS
COUNTERS = (
    "api_key_added",
    "api_key_updated",
    "api_key_deleted",
    "queue_added",
    "queue_updated",
    "queue_deleted",
    "listener_added",
    "listener_updated",
    "listener_deleted",
    "message_added",
    "message_published_ok",
    "message_published_not_ok",
)

# Event type prefix -> the category `GET /events?events=` filters on.
EVENT_CATEGORIES = (
    ("api_key_", "api_keys"),
    ("api_client_", "api_clients"),
    ("queue_", "queues"),
    ("listener_", "listeners"),
    ("message_", "messages"),
    ("domain_", "domains"),
)

IdFactory = Callable[[], str]


def now_ms() -> int:
    return int(time.time() * 1000)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def uuid_id() -> str:
    """The ids of the 2022-05 generation."""
    return str(uuid.uuid4())


SHORT_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"  # nanoid's


SORTED_ALPHABET = "".join(sorted(SHORT_ID_ALPHABET))  # the same characters, in the order strings sort
BASE64URL = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"  # each character's 6-bit value
TO_SORTED = bytes.maketrans(BASE64URL, SORTED_ALPHABET.encode())


class RandomBytes:
    """os.urandom read 4 KiB at a time: each row's id takes 10 bytes, and a getrandom() system call
    for each was a tenth of what SQLite spent on the row."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pool = b""
        self.at = 0
        os.register_at_fork(after_in_child=self.forget)  # a child must not hand out its parent's bytes

    def forget(self) -> None:
        self.pool, self.at = b"", 0

    def take(self, count: int) -> bytes:
        with self.lock:
            if self.at + count > len(self.pool):
                self.pool, self.at = os.urandom(4096), 0
            self.at += count
            return self.pool[self.at - count : self.at]


RANDOM = RandomBytes()


def short_id() -> str:
    """A 21-character id over nanoid's alphabet, as from the 2023-04 generation on: the time in
    milliseconds (48 bits), then 78 random bits.

    Time first, as in ULIDs and UUIDv7, and each 6 bits written as the character of that rank in
    sort order: ids made later sort after earlier ones, so a new row's id goes next to the last one
    in its table's index. Random ids sent each message and each event to a page of the index of its
    own (two more pages written to the WAL per message: 40% of the write's cost in SQLite). The
    first character is 'V' (the time's top bits, with the 48th set) for 4,000 years: never '-',
    which a shell user could only pass after `--`."""
    stamp = time.time_ns() // 1_000_000 | 1 << 47
    raw = base64.urlsafe_b64encode(stamp.to_bytes(6, "big") + RANDOM.take(10))[:21]
    return raw.translate(TO_SORTED).decode("ascii")


CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(value: Any) -> str:
    """The one JSON text of a value: sorted keys, no spaces (a queue schema's id is the sha256 of it)."""
    return CANONICAL.encode(value)


def schema_id(schema_text: str | None) -> str | None:
    return hashlib.sha256(schema_text.encode("utf-8")).hexdigest() if schema_text else None


@dataclass
class NewMessage:
    """A message to store in a queue whose schema (its stored text, None for none) the data was
    checked against, with its name and how ids are made."""

    queue_id: str
    schema: str | None
    data: str
    name: str | None
    new_id: IdFactory


STALE = "stale"  # add_messages: the queue's schema is no longer the one the message was checked against


class NameTaken(Exception):
    """A queue (or a listener within its queue, or a domain) with that name exists already."""


class StoreUnavailable(Exception):
    """The database file cannot be opened or is not a discue database."""


def ref(row: dict[str, Any] | None, name_column: str = "name") -> dict[str, Any] | None:
    return {"id": row["id"], "name": row[name_column]} if row else None


class Store:
    """All reads and writes of the local discue."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.lock = threading.RLock()
        self._schemas: dict[str, tuple[str | None, dict[str, Any] | None]] = {}  # see queue_schema
        self._last_used: dict[str, int] = {}
        try:
            if str(path) != ":memory:":
                make_private(self.path)
            self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA busy_timeout=10000")
            self.db.executescript(SCHEMA)
            self._upgrade()
            self._tune()
        except (OSError, sqlite3.Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise StoreUnavailable(f"cannot use {path} as the local discue's database: {reason}") from None

    def _tune(self) -> None:
        """Speed without giving up durability: see checkpoint.py. (journal_mode=WAL with
        synchronous=NORMAL, set above, keeps every commit across a crash of the process.)"""
        self._checkpointer: Checkpointer | None = None
        if self.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            self.db.execute(f"PRAGMA wal_autocheckpoint={SAFETY_PAGES}")
            self.db.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")
            self._checkpointer = Checkpointer(str(self.path))

    def _committed(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.committed()

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        with self.lock:
            self.db.close()

    def _upgrade(self) -> None:
        for table, column, declaration in UPGRADES:
            columns = {row["name"] for row in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in columns:
                try:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
                except sqlite3.OperationalError as exc:
                    if "duplicate column" not in str(exc):  # another process added it first
                        raise

    def _write(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        with self.lock:
            cursor = self.db.execute(sql, args)
            self._committed()
            return cursor

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                self.db.execute("COMMIT")
                self._committed()
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise

    def _tx(self, statements: list[tuple[str, tuple]]) -> None:
        with self._transaction() as db:
            for sql, args in statements:
                db.execute(sql, args)

    def _one(self, sql: str, args: tuple = ()) -> dict[str, Any] | None:
        with self.lock:
            row = self.db.execute(sql, args).fetchone()
        return dict(row) if row else None

    def _all(self, sql: str, args: tuple = ()) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(r) for r in self.db.execute(sql, args).fetchall()]

    def _event(self, db: sqlite3.Connection, kind: str, **refs: dict[str, Any] | None) -> None:
        """Record a usage event inside the caller's transaction; `kind` is e.g. queue_added."""
        category = next(plural for prefix, plural in EVENT_CATEGORIES if kind.startswith(prefix))
        kept = {key: value for key, value in refs.items() if value is not None}
        now = now_ms()
        seq = db.execute(
            "INSERT INTO events (id, type, category, stored_at, refs) VALUES (?, ?, ?, ?, ?)",
            (short_id(), kind, category, now, canonical(kept)),
        ).lastrowid
        if seq % 1000 == 0:  # now and then, forget what no reply shows any more
            db.execute("DELETE FROM events WHERE stored_at < ?", (now - DAY_MS,))

    # -- meta

    def root_key(self, wanted: str | None = None) -> str:
        """The key `emulator serve` accepts: the one given, else one kept in the database."""
        return wanted or self._meta("root_key", lambda: "local-" + secrets.token_urlsafe(24))

    def client_id(self) -> str:
        """The id of the one organization (API client) the local discue's data belongs to."""
        return self._meta("client_id", short_id)

    def _meta(self, key: str, make: Callable[[], str]) -> str:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        if row:
            return row["value"]
        self._write("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, make()))
        return self._one("SELECT value FROM meta WHERE key = ?", (key,))["value"]

    # -- queues

    @staticmethod
    def _queue(row: dict[str, Any]) -> dict[str, Any]:
        text = row.pop("schema", None)
        row["schema"] = json.loads(text) if text else None
        row["schema_id"] = schema_id(text)
        return row

    def list_queues(self) -> list[dict[str, Any]]:
        return [self._queue(r) for r in self._all("SELECT id, name, schema FROM queues ORDER BY seq")]

    def get_queue(self, queue_id: str, *, listeners: bool = True) -> dict[str, Any] | None:
        """The queue with its schema, and (unless `listeners` is False) the briefs of its listeners."""
        queue = self._one("SELECT id, name, schema, created_at FROM queues WHERE id = ?", (queue_id,))
        if queue:
            self._queue(queue)
        if queue and listeners:
            queue["listeners"] = self._all(
                "SELECT id, name FROM listeners WHERE queue_id = ? ORDER BY seq", (queue_id,)
            )
        return queue

    def create_queue(
        self, name: str, schema: dict[str, Any] | None = None, *, new_id: IdFactory = uuid_id
    ) -> dict[str, Any]:
        queue_id = new_id()
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO queues (id, name, schema, created_at) VALUES (?, ?, ?, ?)",
                    (queue_id, name, canonical(schema) if schema else None, now_ms()),
                )
                self._event(db, "queue_added", queue={"id": queue_id, "name": name})
        except sqlite3.IntegrityError:
            raise NameTaken(name) from None
        return self.get_queue(queue_id)

    def update_queue(self, queue_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Apply `name` and/or `schema` (None removes the schema); None when there is no such queue."""
        try:
            with self._transaction() as db:
                if "name" in changes:
                    db.execute("UPDATE queues SET name = ? WHERE id = ?", (changes["name"], queue_id))
                if "schema" in changes:
                    text = canonical(changes["schema"]) if changes["schema"] else None
                    db.execute("UPDATE queues SET schema = ? WHERE id = ?", (text, queue_id))
                row = db.execute("SELECT id, name FROM queues WHERE id = ?", (queue_id,)).fetchone()
                if row and changes:
                    self._event(db, "queue_updated", queue=ref(dict(row)))
        except sqlite3.IntegrityError:
            raise NameTaken(changes.get("name")) from None
        return self.get_queue(queue_id)

    def rename_queue(self, queue_id: str, name: str | None) -> dict[str, Any] | None:
        return self.update_queue(queue_id, {} if name is None else {"name": name})

    def delete_queue(self, queue_id: str) -> bool:
        with self._transaction() as db:
            row = db.execute("SELECT id, name FROM queues WHERE id = ?", (queue_id,)).fetchone()
            if row:
                db.execute("DELETE FROM queues WHERE id = ?", (queue_id,))
                self._event(db, "queue_deleted", queue=ref(dict(row)))
        return row is not None

    def queue_exists(self, queue_id: str) -> bool:
        return self._one("SELECT 1 AS x FROM queues WHERE id = ?", (queue_id,)) is not None

    # -- listeners

    LISTENER_COLUMNS = (
        "id, queue_id, name, notify_url, liveness_url, created_at, live_state, live_success_count,"
        " live_last_success_at, live_failure_count, live_last_failure_status, live_last_failure_at,"
        " live_last_failure_msg, status"
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

    @staticmethod
    def _listener_name_taken(db: sqlite3.Connection, queue_id: str, name: str, listener_id: str = "") -> bool:
        return (
            db.execute(
                "SELECT 1 FROM listeners WHERE queue_id = ? AND name = ? AND id != ?", (queue_id, name, listener_id)
            ).fetchone()
            is not None
        )

    def add_listener(
        self,
        queue_id: str,
        name: str,
        notify_url: str,
        liveness_url: str,
        *,
        status: str = "enabled",
        new_id: IdFactory = uuid_id,
    ) -> dict[str, Any]:
        """Add a listener; NameTaken when its queue has a listener of that name."""
        listener_id = new_id()
        with self._transaction() as db:
            if self._listener_name_taken(db, queue_id, name):
                raise NameTaken(name)
            db.execute(
                "INSERT INTO listeners (id, queue_id, name, notify_url, liveness_url, created_at, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (listener_id, queue_id, name, notify_url, liveness_url, now_ms(), status),
            )
            queue = db.execute("SELECT id, name FROM queues WHERE id = ?", (queue_id,)).fetchone()
            self._event(db, "listener_added", queue=ref(dict(queue)), listener={"id": listener_id, "name": name})
        return self.get_listener(queue_id, listener_id)

    def update_listener(self, queue_id: str, listener_id: str, changes: dict[str, str]) -> dict[str, Any] | None:
        with self._transaction() as db:
            if "name" in changes and self._listener_name_taken(db, queue_id, changes["name"], listener_id):
                raise NameTaken(changes["name"])
            for column in ("name", "notify_url", "liveness_url", "status"):
                if column in changes:
                    db.execute(
                        f"UPDATE listeners SET {column} = ? WHERE queue_id = ? AND id = ?",
                        (changes[column], queue_id, listener_id),
                    )
            row = db.execute(
                "SELECT l.id, l.name, q.id AS queue_id, q.name AS queue_name FROM listeners l"
                " JOIN queues q ON q.id = l.queue_id WHERE l.queue_id = ? AND l.id = ?",
                (queue_id, listener_id),
            ).fetchone()
            if row and changes:
                queue = {"id": queue_id, "name": row["queue_name"]}
                self._event(db, "listener_updated", queue=queue, listener=ref(dict(row)))
        return self.get_listener(queue_id, listener_id)

    def delete_listener(self, queue_id: str, listener_id: str) -> bool:
        with self._transaction() as db:
            row = db.execute(
                "SELECT l.id, l.name, q.name AS queue_name FROM listeners l JOIN queues q ON q.id = l.queue_id"
                " WHERE l.queue_id = ? AND l.id = ?",
                (queue_id, listener_id),
            ).fetchone()
            if row:
                db.execute("DELETE FROM listeners WHERE id = ?", (listener_id,))
                queue = {"id": queue_id, "name": row["queue_name"]}
                self._event(db, "listener_deleted", queue=queue, listener=ref(dict(row)))
        return row is not None

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

    MESSAGE_COLUMNS = MESSAGE_COLUMNS

    @staticmethod
    def _messages_where(queue_id: str | None) -> tuple[str, tuple]:
        return ("", ()) if queue_id is None else (" WHERE queue_id = ?", (queue_id,))

    def list_messages(self, queue_id: str | None = None, limit: int = -1, offset: int = 0) -> list[dict[str, Any]]:
        """The messages (of a queue), oldest first; at most `limit` of them, after the first `offset`."""
        where, args = self._messages_where(queue_id)
        sql = f"SELECT {self.MESSAGE_COLUMNS} FROM messages{where} ORDER BY seq LIMIT ? OFFSET ?"
        return self._all(sql, (*args, limit, offset))

    def message_snapshot(self, queue_id: str | None = None) -> MessageSnapshot | None:
        """The messages (of a queue) as of now, read afresh for each part of a streamed listing; None
        for an in-memory database, which no second connection can see."""
        if self._checkpointer is None:
            return None
        return MessageSnapshot(str(self.path), *self._messages_where(queue_id))

    def get_message(self, queue_id: str, message_id: str) -> dict[str, Any] | None:
        return self._one(
            "SELECT id, queue_id, name, data, created_at FROM messages WHERE queue_id = ? AND id = ?",
            (queue_id, message_id),
        )

    def add_message(
        self, queue_id: str, data: str, name: str | None = None, *, new_id: IdFactory = uuid_id
    ) -> dict[str, Any]:
        """Store a message (not checked against its queue's schema) and, in the same transaction, one
        pending delivery per listener it predates. sqlite3.IntegrityError when there is no such queue."""
        while True:
            schema = self.queue_schema(queue_id, fresh=True)
            if schema is None:
                raise sqlite3.IntegrityError("FOREIGN KEY constraint failed: no such queue")
            row = self.add_messages([NewMessage(queue_id, schema[0], data, name, new_id)])[0]
            if row is None:  # deleted meanwhile
                raise sqlite3.IntegrityError("FOREIGN KEY constraint failed: no such queue")
            if row != STALE:
                return row

    def add_messages(self, batch: list[NewMessage]) -> list[dict[str, Any] | str | None]:
        """Store each message of `batch` as add_message does, all in one transaction (one COMMIT:
        a third of a message's cost when each had its own). For each, the stored row; None where the
        queue is gone; STALE where its schema is no longer the one the message was checked against.
        The queue is read inside the transaction, so what is stored always met the schema in force."""
        rows: list[dict[str, Any] | str | None] = []
        with self._transaction() as db:
            for new in batch:
                queue = db.execute("SELECT name, schema FROM queues WHERE id = ?", (new.queue_id,)).fetchone()
                if queue is None or queue["schema"] != new.schema:
                    rows.append(None if queue is None else STALE)
                    continue
                message_id = new.new_id()
                created = now_ms()
                db.execute(
                    "INSERT INTO messages (id, queue_id, name, data, created_at) VALUES (?, ?, ?, ?, ?)",
                    (message_id, new.queue_id, new.name, new.data, created),
                )
                db.execute(
                    "INSERT INTO deliveries (message_id, listener_id, next_attempt_at)"
                    " SELECT ?, id, ? FROM listeners WHERE queue_id = ?",
                    (message_id, created, new.queue_id),
                )
                self._event(
                    db,
                    "message_added",
                    queue={"id": new.queue_id, "name": queue["name"]},
                    message={"id": message_id, "name": new.name},
                )
                rows.append(
                    {
                        "id": message_id,
                        "queue_id": new.queue_id,
                        "name": new.name,
                        "data": new.data,
                        "created_at": created,
                    }
                )
        return rows

    def queue_schema(self, queue_id: str, *, fresh: bool = False) -> tuple[str | None, dict[str, Any] | None] | None:
        """A queue's schema as stored and parsed, for checking a message before add_messages; None when
        there is no such queue. Kept in memory (`fresh` reads it again): a read of its own cost a POST
        a tenth of its time, and add_messages tells when what was kept is out of date."""
        if not fresh:
            kept = self._schemas.get(queue_id)
            if kept is not None:
                return kept
        row = self._one("SELECT schema FROM queues WHERE id = ?", (queue_id,))
        if row is None:
            self._schemas.pop(queue_id, None)
            return None
        if len(self._schemas) >= 1024:
            self._schemas.clear()
        text = row["schema"]
        kept = self._schemas[queue_id] = (text, json.loads(text) if text else None)
        return kept

    def _message_event(self, db: sqlite3.Connection, kind: str, queue_id: str, message_id: str) -> bool:
        row = db.execute(
            "SELECT m.id, m.name, q.name AS queue_name FROM messages m JOIN queues q ON q.id = m.queue_id"
            " WHERE m.queue_id = ? AND m.id = ?",
            (queue_id, message_id),
        ).fetchone()
        if row:
            self._event(db, kind, queue={"id": queue_id, "name": row["queue_name"]}, message=ref(dict(row)))
        return row is not None

    def rename_message(self, queue_id: str, message_id: str, name: str | None) -> dict[str, Any] | None:
        if name is not None:
            with self._transaction() as db:
                db.execute("UPDATE messages SET name = ? WHERE queue_id = ? AND id = ?", (name, queue_id, message_id))
                self._message_event(db, "message_updated", queue_id, message_id)
        return self.get_message(queue_id, message_id)

    def delete_message(self, queue_id: str, message_id: str) -> bool:
        with self._transaction() as db:
            found = self._message_event(db, "message_deleted", queue_id, message_id)
            if found:
                db.execute("DELETE FROM messages WHERE id = ?", (message_id,))
        return found

    # -- api keys and clients

    KEY_COLUMNS = "id, name, key_prefix, status, created_at, updated_at, last_used_at, scopes"

    @staticmethod
    def _key(row: dict[str, Any] | None) -> dict[str, Any] | None:
        if row:
            row["scopes"] = json.loads(row["scopes"]) if row["scopes"] else None
        return row

    def authenticate(self, key: str) -> dict[str, Any] | None:
        """The enabled key whose secret is `key` (its row, with `scopes`); notes its use at most once a second."""
        wanted = hash_key(key)
        row = self._key(self._one(f"SELECT {self.KEY_COLUMNS}, key_hash FROM api_keys WHERE key_hash = ?", (wanted,)))
        if not row or not hmac.compare_digest(row.pop("key_hash"), wanted) or row["status"] != "enabled":
            return None
        now = now_ms()
        if now - self._last_used.get(row["id"], 0) >= 1000:
            self._last_used[row["id"]] = now
            self._write("UPDATE api_keys SET last_used_at = ? WHERE id = ?", (now, row["id"]))
        return row

    def check_key(self, key: str) -> bool:
        """Whether `key` is an enabled key."""
        return self.authenticate(key) is not None

    def create_api_key(
        self,
        name: str | None,
        *,
        status: str = "enabled",
        scopes: dict[str, Any] | None = None,
        new_id: IdFactory = uuid_id,
    ) -> tuple[dict[str, Any], str]:
        """A new key and its secret; `scopes` (keyed by resource) None means unrestricted."""
        secret = secrets.token_urlsafe(48)
        key_id = new_id()
        now = now_ms()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO api_keys (id, name, key_hash, key_prefix, status, created_at, updated_at, scopes)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key_id, name, hash_key(secret), secret[:3], status, now, now, canonical(scopes) if scopes else None),
            )
            self._event(db, "api_key_added", api_key={"id": key_id, "name": name})
        return self.get_api_key(key_id), secret

    def list_api_keys(self) -> list[dict[str, Any]]:
        return [self._key(r) for r in self._all(f"SELECT {self.KEY_COLUMNS} FROM api_keys ORDER BY seq")]

    def get_api_key(self, key_id: str) -> dict[str, Any] | None:
        return self._key(self._one(f"SELECT {self.KEY_COLUMNS} FROM api_keys WHERE id = ?", (key_id,)))

    def update_api_key(self, key_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Apply `name`, `status` and/or `scopes` (replaced whole)."""
        with self._transaction() as db:
            for column in ("name", "status", "scopes"):
                if column in changes:
                    value = changes[column]
                    value = canonical(value) if column == "scopes" and value else value
                    db.execute(
                        f"UPDATE api_keys SET {column} = ?, updated_at = ? WHERE id = ?", (value, now_ms(), key_id)
                    )
            row = db.execute("SELECT id, name FROM api_keys WHERE id = ?", (key_id,)).fetchone()
            if row and changes:
                self._event(db, "api_key_updated", api_key=ref(dict(row)))
        return self.get_api_key(key_id)

    def delete_api_key(self, key_id: str) -> bool:
        with self._transaction() as db:
            row = db.execute("SELECT id, name FROM api_keys WHERE id = ?", (key_id,)).fetchone()
            if row:
                db.execute("DELETE FROM api_keys WHERE id = ?", (key_id,))
                self._event(db, "api_key_deleted", api_key=ref(dict(row)))
        return row is not None

    def create_api_client(self, name: str | None, *, new_id: IdFactory = uuid_id) -> dict[str, Any]:
        client_id = new_id()
        with self._transaction() as db:
            db.execute("INSERT INTO api_clients (id, name, created_at) VALUES (?, ?, ?)", (client_id, name, now_ms()))
            self._event(db, "api_client_added", api_client={"id": client_id, "name": name})
        return {"id": client_id, "name": name}

    def get_api_client(self, client_id: str) -> dict[str, Any] | None:
        return self._one("SELECT id, name FROM api_clients WHERE id = ?", (client_id,))

    def update_api_client(self, client_id: str, name: str | None) -> dict[str, Any] | None:
        if name is not None:
            with self._transaction() as db:
                if db.execute("UPDATE api_clients SET name = ? WHERE id = ?", (name, client_id)).rowcount:
                    self._event(db, "api_client_updated", api_client={"id": client_id, "name": name})
        return self.get_api_client(client_id)

    # -- domains (2024-08)

    @staticmethod
    def _domain(row: dict[str, Any] | None) -> dict[str, Any] | None:
        if row:
            row["challenge"] = json.loads(row["challenge"])
        return row

    @staticmethod
    def _challenge() -> str:
        created = now_ms()
        return canonical(
            {
                "file_content": secrets.token_urlsafe(32),
                "file_name": secrets.token_hex(16) + ".txt",
                "context_path": ".well-known/discue",
                "created_at": created,
                "expires_at": created + CHALLENGE_TTL_MS,
            }
        )

    DOMAIN_COLUMNS = "id, name, hostname, port, challenge, created_at"

    def list_domains(self) -> list[dict[str, Any]]:
        return [self._domain(r) for r in self._all(f"SELECT {self.DOMAIN_COLUMNS} FROM domains ORDER BY seq")]

    def get_domain(self, domain_id: str) -> dict[str, Any] | None:
        return self._domain(self._one(f"SELECT {self.DOMAIN_COLUMNS} FROM domains WHERE id = ?", (domain_id,)))

    def create_domain(self, name: str, hostname: str, port: int, *, new_id: IdFactory = short_id) -> dict[str, Any]:
        domain_id = new_id()
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO domains (id, name, hostname, port, challenge, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (domain_id, name, hostname, port, self._challenge(), now_ms()),
                )
                self._event(db, "domain_added", domain={"id": domain_id, "name": name})
        except sqlite3.IntegrityError:
            raise NameTaken(name) from None
        return self.get_domain(domain_id)

    def update_domain(self, domain_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Apply `name`, `hostname`, `port`; a new hostname or port gets a new challenge."""
        before = self.get_domain(domain_id)
        if before is None:
            return None
        try:
            with self._transaction() as db:
                for column in ("name", "hostname", "port"):
                    if column in changes:
                        db.execute(f"UPDATE domains SET {column} = ? WHERE id = ?", (changes[column], domain_id))
                if any(column in changes and changes[column] != before[column] for column in ("hostname", "port")):
                    db.execute("UPDATE domains SET challenge = ? WHERE id = ?", (self._challenge(), domain_id))
                if changes:
                    name = changes.get("name", before["name"])
                    self._event(db, "domain_updated", domain={"id": domain_id, "name": name})
        except sqlite3.IntegrityError:
            raise NameTaken(changes.get("name")) from None
        return self.get_domain(domain_id)

    def delete_domain(self, domain_id: str) -> bool:
        with self._transaction() as db:
            row = db.execute("SELECT id, name FROM domains WHERE id = ?", (domain_id,)).fetchone()
            if row:
                db.execute("DELETE FROM domains WHERE id = ?", (domain_id,))
                self._event(db, "domain_deleted", domain=ref(dict(row)))
        return row is not None

    # -- usage events

    def list_events(
        self, category: str = "all", limit: int = 100, after: int | None = None, after_id: str | None = None
    ) -> list[dict[str, Any]] | None:
        """Events of the last 24 hours, oldest first; None when `after_id` names no event."""
        where, args = ["stored_at >= ?"], [now_ms() - DAY_MS]
        if category != "all":
            where.append("category = ?")
            args.append(category)
        if after is not None:
            where.append("stored_at > ?")
            args.append(after)
        if after_id is not None:
            cursor = self._one("SELECT seq FROM events WHERE id = ?", (after_id,))
            if cursor is None:
                return None
            where.append("seq > ?")
            args.append(cursor["seq"])
        rows = self._all(
            f"SELECT id, type, stored_at, refs FROM events WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?",
            (*args, limit),
        )
        for row in rows:
            row["refs"] = json.loads(row["refs"])
        return rows

    def event_counts(self, since: dict[str, int]) -> dict[str, dict[str, int]]:
        """For each window (name -> start in ms), the number of events of each counted type."""
        result = {}
        for window, start in since.items():
            counts = dict.fromkeys(COUNTERS, 0)
            for row in self._all("SELECT type, COUNT(*) AS n FROM events WHERE stored_at >= ? GROUP BY type", (start,)):
                if row["type"] in counts:
                    counts[row["type"]] = row["n"]
            result[window] = counts
        return result

    # -- deliveries (used by the broadcaster of `emulator serve`)

    def due_deliveries(self, now: int, limit: int, exclude_listeners: list[str] = ()) -> list[dict[str, Any]]:
        """Pending deliveries whose time has come, skipping listeners that are disabled or busy enough already."""
        skip = ",".join("?" * len(exclude_listeners))
        where = f" AND d.listener_id NOT IN ({skip})" if exclude_listeners else ""
        return self._all(
            "SELECT d.message_id, d.listener_id, d.attempts, m.queue_id, m.data, l.notify_url, l.name"
            " AS listener_name FROM deliveries d JOIN messages m ON m.id = d.message_id"
            " JOIN listeners l ON l.id = d.listener_id"
            f" WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND l.status = 'enabled'{where}"
            " ORDER BY d.next_attempt_at, m.seq LIMIT ?",
            (now, *exclude_listeners, limit),
        )

    def next_due_at(self) -> int | None:
        row = self._one(
            "SELECT MIN(d.next_attempt_at) AS t FROM deliveries d JOIN listeners l ON l.id = d.listener_id"
            " WHERE d.state = 'pending' AND l.status = 'enabled'"
        )
        return row["t"] if row else None

    def record_attempt(
        self, message_id: str, listener_id: str, status: int | None, *, acked: bool, next_at: int | None
    ) -> None:
        """One delivery attempt: acked, retried at `next_at`, or missed when `next_at` is None.

        Each attempt is one publication: a message_published_ok event when acknowledged, else message_published_not_ok.
        """
        now = now_ms()
        state = "acked" if acked else ("pending" if next_at is not None else "missed")
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE deliveries SET state = ?, attempts = attempts + 1, last_status = ?, last_attempt_at = ?,"
                " next_attempt_at = COALESCE(?, next_attempt_at), acked_at = CASE WHEN ? THEN ? END,"
                " last_failure_at = CASE WHEN ? THEN last_failure_at ELSE ? END"
                " WHERE message_id = ? AND listener_id = ? AND state = 'pending'",
                (state, status, now, next_at, acked, now, acked, now, message_id, listener_id),
            ).rowcount
            row = db.execute(
                "SELECT m.id, m.name, q.id AS queue_id, q.name AS queue_name, l.name AS listener_name"
                " FROM messages m JOIN queues q ON q.id = m.queue_id JOIN listeners l ON l.id = ?"
                " WHERE m.id = ?",
                (listener_id, message_id),
            ).fetchone()
            if changed and row:
                self._event(
                    db,
                    "message_published_ok" if acked else "message_published_not_ok",
                    queue={"id": row["queue_id"], "name": row["queue_name"]},
                    listener={"id": listener_id, "name": row["listener_name"]},
                    message=ref(dict(row)),
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
