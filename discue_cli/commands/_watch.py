"""`messages watch`: follow a queue like tail -f, polling the list endpoint."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import typer

from discue_cli.commands._common import run
from discue_cli.errors import ApiError, NoResponseError
from discue_cli.output import Output, OutputFormat, compact, tsv_cell


def message_line(out: Output, message: dict[str, Any], as_json: bool) -> str:
    if as_json:
        return compact(message)
    if out.stdout_tty:
        created = message.get("created_at")
        when = (
            datetime.fromtimestamp(created / 1000, UTC).strftime("%H:%M:%S")
            if isinstance(created, (int, float))
            else "--:--:--"
        )
        return f"{when}  {message.get('id')}  {message.get('data', '')}"
    keys = ["id", "name"] + [k for k in message if k not in ("id", "name") and not k.startswith("_")]
    return "\t".join(tsv_cell(message.get(k)) for k in keys)


def run_watch(ctx: typer.Context, queue: str, interval: float, as_json: bool) -> None:
    async def work(client: Any, out: Output) -> None:
        from discue_cli.api import messages as api
        from discue_cli.api.resolve import resolve_queue_id

        queue_id = await resolve_queue_id(client, queue)
        seen: set[str] = set()
        first = True
        try:
            while True:
                try:
                    reply = await api.list_messages(client, queue_id, embed=True)
                except (NoResponseError, ApiError) as exc:
                    if isinstance(exc, ApiError) and (exc.status or 0) < 500:
                        raise
                    out.warn(f"{exc.title}; still watching")
                    await asyncio.sleep(interval)
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
                    out.line(message_line(out, message, as_json))
                    out.flush()
                if first:
                    out.info(f"Watching {queue} for new messages (Ctrl-C to stop)")
                    first = False
                await asyncio.sleep(interval)
        except asyncio.CancelledError:
            out.info("Stopped watching.")

    run(ctx, work, OutputFormat(json=as_json))
