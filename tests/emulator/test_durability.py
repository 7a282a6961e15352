"""The WAL checkpoints of the local discue run on a thread of their own, and nothing acknowledged is
lost when the server process dies without a chance to clean up (SIGKILL)."""

from __future__ import annotations

import signal
import sqlite3
import time

import httpx

from discue_cli.emulator.checkpoint import SAFETY_PAGES, Checkpointer
from discue_cli.emulator.store import Store
from tests.conftest import start_server


def wal_frames(db) -> int:
    """Frames in the WAL now, as another connection sees them (PASSIVE copies, never blocks)."""
    with sqlite3.connect(db) as other:
        return other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]


def await_passes(checkpointer: Checkpointer, wanted: int) -> None:
    deadline = time.monotonic() + 5
    while checkpointer.passes < wanted:
        assert time.monotonic() < deadline, f"only {checkpointer.passes} checkpoints ran"
        time.sleep(0.01)


def test_checkpoints_run_on_their_own_thread_and_the_wal_starts_over(tmp_path):
    db = tmp_path / "wal.sqlite3"
    store = Store(db)
    assert store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == SAFETY_PAGES
    store._checkpointer.every = 50
    queue_id = store.create_queue("q")["id"]  # commit 1
    for i in range(48):
        store.add_message(queue_id, f"m{i}")
    assert store._checkpointer._thread is None, "a short-lived process never starts the thread"
    store.add_message(queue_id, "the 50th commit")
    await_passes(store._checkpointer, 1)
    grown = wal_frames(db)
    store.add_message(queue_id, "after the checkpoint")
    # The checkpoint copied every frame, so this writer started the WAL over rather than growing it.
    assert wal_frames(db) < 20 < grown
    thread = store._checkpointer._thread
    store.close()
    assert not thread.is_alive()
    reopened = Store(db)
    try:
        assert len(reopened.list_messages(queue_id)) == 50
    finally:
        reopened.close()


def test_when_writes_pause_what_the_wal_holds_is_copied_and_the_next_writer_starts_it_over(tmp_path):
    """Between `every` commits nothing is copied; a pause of IDLE seconds is enough. (Under writers that
    never pause, SAFETY_PAGES bounds the WAL.)"""
    db = tmp_path / "idle.sqlite3"
    store = Store(db)
    try:
        store._checkpointer.every = 50
        queue_id = store.create_queue("q")["id"]
        for i in range(49):
            store.add_message(queue_id, f"m{i}")
        await_passes(store._checkpointer, 1)  # the 50th commit started the thread
        for i in range(30):  # fewer than `every` commits: only a pause gets them copied
            store.add_message(queue_id, f"more {i}")
        await_passes(store._checkpointer, 2)
        grown = wal_frames(db)
        store.add_message(queue_id, "after the pause")
        assert wal_frames(db) < 20 < grown
    finally:
        store.close()


def test_acknowledged_messages_survive_a_killed_server(tmp_path):
    db = tmp_path / "killed.sqlite3"
    server = start_server(db, "--no-deliver")
    try:
        with httpx.Client(base_url=server.endpoint, headers={"X-API-KEY": server.key}, timeout=10) as client:
            queue_id = client.post("/queues", json={"name": "kept"}).json()["queue"]["id"]
            acknowledged = [
                client.post(f"/queues/{queue_id}/messages", json={"data": f"m{i}"}).json()["message"]["id"]
                for i in range(600)  # past one checkpoint (every 500 commits)
            ]
    finally:
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
    with sqlite3.connect(db) as after:
        stored = [row[0] for row in after.execute("SELECT id FROM messages ORDER BY seq")]
    assert stored == acknowledged


def test_a_large_wal_left_by_a_crash_is_copied_and_cut_back_after_the_first_writes(tmp_path, monkeypatch):
    """The thread starts at the 500th commit, which a restarted server may not see for a long while:
    a WAL over WAL_LIMIT found at start (the server was killed under load) gets copied at the first
    commit, and the next writer starts it over at WAL_LIMIT."""
    import shutil

    from discue_cli.emulator import checkpoint
    from discue_cli.emulator import store as store_module

    monkeypatch.setattr(checkpoint, "WAL_LIMIT", 256 * 1024)
    monkeypatch.setattr(store_module, "WAL_LIMIT", 256 * 1024)
    running = Store(tmp_path / "running.sqlite3")
    queue_id = running.create_queue("q")["id"]
    for i in range(8):
        running.add_message(queue_id, f"{i}" + "x" * 100_000)
    crashed = tmp_path / "crashed.sqlite3"
    for suffix in ("", "-wal"):  # the files as a kill -9 leaves them: no checkpoint at close
        shutil.copy(f"{tmp_path / 'running.sqlite3'}{suffix}", f"{crashed}{suffix}")
    running.close()
    wal = tmp_path / "crashed.sqlite3-wal"
    assert wal.stat().st_size > 512 * 1024
    restarted = Store(crashed)
    try:
        restarted.add_message(queue_id, "first after the restart")
        await_passes(restarted._checkpointer, 1)
        restarted.add_message(queue_id, "the WAL starts over")
        assert wal.stat().st_size <= 256 * 1024
        assert len(restarted.list_messages(queue_id)) == 10
    finally:
        restarted.close()
