"""Bulk sends: one message per line from a source, sent concurrently over one pooled client."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from discue_cli.api import Reply
from discue_cli.api.client import Client
from discue_cli.api.messages import add_message
from discue_cli.errors import DiscueError, Interrupted


@dataclass
class LineResult:
    """What became of one input line; `index` counts non-empty lines from 0, `lineno` from 1."""

    index: int
    lineno: int
    line: str
    reply: Reply | None = None
    error: DiscueError | None = None


class Source(Protocol):
    async def next(self) -> LineResult | None: ...

    def close(self) -> None: ...


async def send_batch(
    client: Client,
    queue_id: str,
    source: Source,
    concurrency: int,
    on_result: Callable[[LineResult], None],
) -> bool:
    """Send every line `source` gives as a message; report each line once; True if interrupted."""
    in_flight: dict[int, LineResult] = {}

    async def send() -> None:
        while (item := await source.next()) is not None:
            if item.error is None:
                in_flight[item.index] = item
                try:
                    item.reply = await add_message(client, queue_id, item.line)
                except DiscueError as exc:
                    item.error = exc
                del in_flight[item.index]
            on_result(item)

    senders = [asyncio.create_task(send()) for _ in range(concurrency)]
    try:
        await asyncio.gather(*senders)
        return False
    except asyncio.CancelledError:
        for task in senders:
            task.cancel()
        await asyncio.gather(*senders, return_exceptions=True)
        for item in sorted(in_flight.values(), key=lambda i: i.index):
            item.error = Interrupted("interrupted before the API acknowledged it")
            on_result(item)
        return True
    except BaseException:
        for task in senders:
            task.cancel()
        raise
    finally:
        source.close()
