"""The broadcaster stops when told to, even when a wake-up lands at the same moment (Python 3.11's wait_for)."""

from __future__ import annotations

import asyncio

from discue_cli.emulator.delivery import Broadcaster
from discue_cli.emulator.server import Log, ServeOptions
from discue_cli.emulator.store import Store


def test_stop_right_after_a_wake_up_ends_the_delivery_loop(tmp_path):
    store = Store(tmp_path / "stop.sqlite3")

    async def scenario() -> None:
        broadcaster = Broadcaster(store, ServeOptions(), Log(lambda line: None))
        await broadcaster.start()
        await asyncio.sleep(0.05)  # the delivery loop is waiting for work now
        broadcaster.wake()  # as an attempt finishing, or a new message, does
        await asyncio.wait_for(broadcaster.stop(), timeout=3)
        assert all(task.done() for task in broadcaster.loops)

    try:
        asyncio.run(asyncio.wait_for(scenario(), timeout=5))
    finally:
        store.close()
