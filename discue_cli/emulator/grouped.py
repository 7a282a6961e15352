"""Group commit: the messages that arrive together are stored in one transaction.

A COMMIT writes each page the transaction touched to the WAL (eight of them for a message and its
event): a third of what a POST cost the server. Requests that arrive together (a batch's senders,
any concurrent clients) are parsed in one turn of the loop, and each handler puts its message on a
queue; one writer task, started by the first message to find none running, takes every message
queued by the time it runs, stores them and commits once, and goes on while messages keep coming.
Every reply still waits for its message's COMMIT, so what was acknowledged is on disk, as before.
"""

from __future__ import annotations

import asyncio
from typing import Any

from discue_cli.emulator.store import NewMessage, Store


class MessageWriter:
    """`finish_stored`: a request cancelled after its message was stored finishes anyway. `emulator
    serve` sets it: uvicorn cancels what still runs when its grace period ends, and answers it 503,
    which tells a client to send the message again. In process (--local) the request runs in the
    caller's own task, and a cancel there is the caller's Ctrl-C: it goes through."""

    def __init__(self, store: Store, *, finish_stored: bool = False):
        self.store = store
        self.finish_stored = finish_stored
        # put_nowait/get_nowait only: the queue waits on no loop, so one writer serves any loop in turn
        self.queue: asyncio.Queue[tuple[NewMessage, asyncio.Future]] = asyncio.Queue()
        self.writer: asyncio.Task | None = None
        self.groups = 0  # transactions committed: tests read it

    async def add(self, new: NewMessage) -> dict[str, Any] | str | None:
        """What Store.add_messages gives for `new` (the stored message; None when its queue was
        deleted meanwhile; STALE when its schema changed), once it is committed."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.queue.put_nowait((new, future))
        if self.writer is None or self.writer.done() or self.writer.get_loop() is not loop:
            self.writer = loop.create_task(self.write())
        try:
            return await future
        except asyncio.CancelledError:
            if future.cancelled() or not self.finish_stored:
                raise  # cancelled while waiting for its group: flush leaves it out, nothing is stored
            # Stored already (the cancel came after the flush): the reply must say so, as a 503 would
            # have the client send it again. The request finishes instead; it takes no more waiting.
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            return future.result()

    async def write(self) -> None:
        """The writer task: it first runs on the loop's next turn, by when every request parsed in
        this one has queued its message; after each commit it lets the loop take a turn, so requests
        that became ready meanwhile join the next group. It ends when the queue is empty."""
        while not self.queue.empty():
            self.flush()
            await asyncio.sleep(0)

    def flush(self) -> None:
        """Store what is queued now in one transaction, and answer each waiting request."""
        group = []
        while not self.queue.empty():
            new, future = self.queue.get_nowait()
            if not future.done():  # not the cancelled
                group.append((new, future))
        if not group:
            return
        try:
            rows = self.store.add_messages([new for new, _ in group])
        except BaseException as exc:  # a full disk, say: nothing of the group was stored
            for _, future in group:
                future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        self.groups += 1
        for (_, future), row in zip(group, rows, strict=True):
            future.set_result(row)
