"""Group commit: the messages that arrive in one turn of the event loop are stored in one transaction.

A COMMIT writes each page the transaction touched to the WAL (eight of them for a message and its
event): a third of what a POST cost the server. Requests that arrive together (a batch's senders,
any concurrent clients) are parsed in one turn of the loop, and each handler queues its message
here; the first to queue one asks for a flush on the next turn, which stores them all and commits
once. Every reply still waits for its message's COMMIT, so what was acknowledged is on disk, as
before. A message that nothing else could join (no other request is ready to run) is stored at once.
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
        self.pending: list[tuple[NewMessage, asyncio.Future]] = []
        self.groups = 0  # transactions committed: tests read it

    async def add(self, new: NewMessage) -> dict[str, Any] | str | None:
        """What Store.add_messages gives for `new` (the stored message; None when its queue was
        deleted meanwhile; STALE when its schema changed), once it is committed."""
        loop = asyncio.get_running_loop()
        if not self.pending and not getattr(loop, "_ready", True):
            # Nothing else will run before the loop next waits for the network: no request could
            # join this message's transaction, and waiting a turn for one would cost the turn.
            # (`_ready` is asyncio's queue of what runs next; another loop may lack it: then group.)
            row = self.store.add_messages([new])[0]
            self.groups += 1
            return row
        future = loop.create_future()
        self.pending.append((new, future))
        if len(self.pending) == 1:
            loop.call_soon(self.flush)
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

    def flush(self) -> None:
        group = [(new, future) for new, future in self.pending if not future.done()]  # not the cancelled
        self.pending = []
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
