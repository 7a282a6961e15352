"""`messages watch`: follow a queue like tail -f, polling the list endpoint."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from discue_cli.errors import ApiError, NoResponseError
from discue_cli.output import Output
from discue_cli.output.formats import message_line


@dataclass
class WatchOptions:
    queue: str
    interval: float = 1.0
    as_json: bool = False


async def poll(client: Any, queue_id: str, seen: set[str] | None) -> tuple[set[str], list[dict[str, Any]]]:
    """The ids the queue lists now, and its messages not in `seen` (none on the first poll, `seen` None).

    The plain listing is asked for (ids and names only where the API sends just those: never `_embed`),
    parsed as it arrives; only the new messages are kept whole. The caller remembers the ids returned,
    so what it remembers is what the queue holds, never every id it ever saw."""
    from contextlib import aclosing

    from discue_cli.api import messages as api

    ids: set[str] = set()
    fresh: list[dict[str, Any]] = []
    async with aclosing(api.stream_messages(client, queue_id)) as messages:
        async for message in messages:
            if message.get("id") is None:
                continue
            message_id = str(message["id"])
            ids.add(message_id)
            if seen is not None and message_id not in seen:
                fresh.append(message)
    return ids, fresh


async def watch_run(opts: WatchOptions, client: Any, out: Output) -> None:
    from discue_cli.api import messages as api
    from discue_cli.api.resolve import resolve_queue_id

    queue_id = await resolve_queue_id(client, opts.queue)
    seen: set[str] | None = None
    try:
        while True:
            try:
                listed, fresh = await poll(client, queue_id, seen)
            except (NoResponseError, ApiError) as exc:
                if isinstance(exc, ApiError) and (exc.status or 0) < 500:
                    raise
                out.warn(f"{exc.title}; still watching")
                await asyncio.sleep(opts.interval)
                continue
            for message in fresh:
                if "data" not in message:
                    message = (await api.get_message(client, queue_id, str(message["id"]))).resources[0]
                out.line(message_line(message, as_json=opts.as_json, terminal=out.stdout_tty))
                out.flush()
            if seen is None:
                out.info(f"Watching {opts.queue} for new messages (Ctrl-C to stop)")
            seen = listed
            await asyncio.sleep(opts.interval)
    except asyncio.CancelledError:
        out.info("Stopped watching.")
