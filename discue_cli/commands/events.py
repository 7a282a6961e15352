"""discue events: the API usage events of the last 24 hours."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

import typer

from discue_cli.commands._common import run, with_output
from discue_cli.output import OutputFormat


class EventType(StrEnum):
    all = "all"
    api_keys = "api_keys"
    listeners = "listeners"
    messages = "messages"
    queues = "queues"


SERVER_PAGE = 100  # events a reply carries when no --limit is given (the local discue's default too)


@dataclass
class EventsOptions:
    kind: str | None = None
    limit: int | None = None
    after: str | None = None


async def events_run(opts: EventsOptions, client, out) -> None:
    from discue_cli.api import events as api

    reply = await api.list_events(client, opts.kind, opts.limit, opts.after)
    out.show(reply, noun="events")
    if opts.limit is None and len(reply.resources) >= SERVER_PAGE and reply.resources[-1].get("id") is not None:
        # The API answers a page, not the day: say so, and how to get the rest.
        out.info(
            f"These are the first {len(reply.resources)} events the API gave; more may follow: "
            f"--after {reply.resources[-1]['id']} for the next ones, or --limit N"
        )


def register(root: typer.Typer) -> None:
    @root.command("events")
    @with_output
    def events(
        ctx: typer.Context,
        kind: Annotated[EventType | None, typer.Option("--type", help="Only events of this kind.")] = None,
        limit: Annotated[int | None, typer.Option("--limit", min=1, metavar="N", help="At most N events.")] = None,
        after: Annotated[
            str | None, typer.Option("--after", metavar="EVENT_ID", help="Only events after this one (paging).")
        ] = None,
        *,
        fmt: OutputFormat,
    ) -> None:
        """API usage events of the last 24 hours: id, type, time, and the resource each is about (GET /events)."""
        run(ctx, events_run, EventsOptions(kind.value if kind else None, limit, after), fmt)
