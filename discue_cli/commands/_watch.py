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


async def watch_run(opts: WatchOptions, client: Any, out: Output) -> None:
    from discue_cli.api import messages as api
    from discue_cli.api.resolve import resolve_queue_id

    queue_id = await resolve_queue_id(client, opts.queue)
    seen: set[str] = set()
    first = True
    try:
        while True:
            try:
                # ids only (full messages are fetched once, when new): a poll must not re-download the queue
                reply = await api.list_messages(client, queue_id)
            except (NoResponseError, ApiError) as exc:
                if isinstance(exc, ApiError) and (exc.status or 0) < 500:
                    raise
                out.warn(f"{exc.title}; still watching")
                await asyncio.sleep(opts.interval)
                continue
            for message in reply.resources:
                message_id = message.get("id")
                if message_id is None or message_id in seen:
                    continue
                seen.add(message_id)
                if first:
                    continue
                if "data" not in message:
                    message = (await api.get_message(client, queue_id, message_id)).resources[0]
                out.line(message_line(message, as_json=opts.as_json, terminal=out.stdout_tty))
                out.flush()
            if first:
                out.info(f"Watching {opts.queue} for new messages (Ctrl-C to stop)")
                first = False
            await asyncio.sleep(opts.interval)
    except asyncio.CancelledError:
        out.info("Stopped watching.")
