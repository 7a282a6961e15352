"""What the local discue stored, read from its database: the API's replies show a message as `{id,
name}` only (as the docs do), so tests that check what was stored read it here."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def stored_data(db: Path | str, queue_id: str | None = None) -> list[str]:
    """The data of the messages (of a queue), oldest first."""
    where, args = ("", ()) if queue_id is None else (" WHERE queue_id = ?", (queue_id,))
    with sqlite3.connect(db, timeout=30) as connection:
        return [row[0] for row in connection.execute(f"SELECT data FROM messages{where} ORDER BY seq", args)]


def data_of(db: Path | str, message_id: str) -> str | None:
    with sqlite3.connect(db, timeout=30) as connection:
        row = connection.execute("SELECT data FROM messages WHERE id = ?", (message_id,)).fetchone()
    return row[0] if row else None


def key_id_of(created) -> str:
    """The id of a key POST /api_keys made (2022-05, 2023-04): the docs' reply names it only in its self link."""
    return created.json()["_links"]["self"]["href"].rsplit("/", 1)[1]
