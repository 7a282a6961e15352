"""Checkpoints of the local discue's WAL, off the request path.

Left to itself SQLite copies the WAL into the database file inside whichever COMMIT crosses
`wal_autocheckpoint` pages, and that COMMIT waits for the copy and two fsyncs: the 5-10x p99 of
POST /messages. Here a thread of its own, with a connection of its own, does the copy every
`every` commits; the GIL is released while SQLite works, so requests go on meanwhile. Durability
does not change: a commit is in the WAL before its reply goes out, checkpointed or not.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading

EVERY = 500  # commits between checkpoints: some 4,000 WAL frames of POST messages
# SQLite's own checkpoint, inside a COMMIT: two fsyncs and a cut of the WAL file, 20-40 ms with every
# request waiting. Writers that never pause keep this thread's checkpoints from ever finishing (each
# copies what came before it, then more comes), so the WAL grows until then: at 10,000 pages that was
# every 1.5 s at full speed, and the 10x p99 of POST /messages at capacity. 50,000 pages (200 MiB of WAL
# at most) put it past the 99th percentile; when the writers pause the WAL starts over (see IDLE).
SAFETY_PAGES = 50_000
IDLE = 1.0  # seconds without a commit after which what the WAL holds is copied: the next writer then
# starts it over (and cuts the file back to WAL_LIMIT) instead of growing it
PASSES = 4  # a writer that never pauses gets no more
WAL_LIMIT = 16 * 1024 * 1024  # after a checkpoint, the WAL file is cut back to this size


class Checkpointer:
    """Started by the first `committed()` that falls due, so short-lived processes never start it."""

    def __init__(self, path: str, every: int = EVERY):
        self.path = path
        self.every = every
        self.commits = 0
        # A WAL past WAL_LIMIT at start: the last server was killed under load. Copy it at the first
        # commit, not the 500th (which may be long in coming), so the next writer starts it over.
        try:
            self._left_over = os.path.getsize(path + "-wal") > WAL_LIMIT
        except OSError:
            self._left_over = False
        self.passes = 0  # checkpoints done: tests await it
        self._due = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def committed(self) -> None:
        """Called after each commit, under the store's lock."""
        self.commits += 1
        if self.commits % self.every and not self._left_over:
            return
        self._left_over = False
        with self._start:
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(target=self._run, name="discue-checkpoint", daemon=True)
                self._thread.start()
        self._due.set()

    def stop(self) -> None:
        with self._start:
            self._stopping = True
            thread = self._thread
        self._due.set()
        if thread is not None:
            thread.join(timeout=10)

    def _run(self) -> None:
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=1)
        except sqlite3.Error:
            return  # SQLite's own checkpoints (SAFETY_PAGES) still bound the WAL
        try:
            copied_at = -1
            while True:
                due = self._due.wait(timeout=IDLE)
                self._due.clear()
                if self._stopping:
                    return
                if not due and self.commits == copied_at:
                    continue  # idle, and nothing was committed since the last pass
                copied_at = self.commits
                with contextlib.suppress(sqlite3.Error):
                    self._checkpoint(db)
                self.passes += 1
        finally:
            db.close()

    def _checkpoint(self, db: sqlite3.Connection) -> None:
        """PASSIVE passes until the WAL is all copied: each copies what the writers added during the
        one before. The next writer then starts the WAL over. A writer that never pauses outruns
        this; SQLite's own checkpoint at SAFETY_PAGES then starts it over, with little left to copy."""
        for _ in range(PASSES):
            busy, log, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if not busy and copied >= log:
                return
