"""A read of one moment on a connection of its own, for listings written out piece by piece."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

MESSAGE_COLUMNS = "id, queue_id, name, data, created_at"  # what a message row is read with


class MessageSnapshot:
    """Reads of one moment on a connection of its own (WAL): a listing written out piece by piece
    sees no commit made meanwhile and keeps no writer waiting, and holds one batch at a time."""

    BATCH = 500

    def __init__(self, path: str, where: str, args: tuple):
        self.where, self.args = where, args
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self.db.row_factory = sqlite3.Row
        self.db.execute("BEGIN")
        self.db.execute("SELECT 1 FROM messages LIMIT 1").fetchall()  # the snapshot starts at its first read

    def rows(self) -> Iterator[dict[str, Any]]:
        sql = f"SELECT {MESSAGE_COLUMNS} FROM messages{self.where} ORDER BY seq"
        cursor = self.db.execute(sql, self.args)
        while batch := cursor.fetchmany(self.BATCH):
            yield from (dict(row) for row in batch)

    def names_clash_with_ids(self) -> bool:
        """Whether a message's name is also a listed message's id (links keyed by name must then be
        built whole: see web.link_pairs)."""
        sql = "SELECT 1 FROM messages a JOIN messages b ON b.id = a.name"
        if self.args:
            sql += " WHERE a.queue_id = ? AND b.queue_id = ?"
        args = self.args * 2
        return self.db.execute(sql, args).fetchone() is not None

    def close(self) -> None:
        self.db.close()
