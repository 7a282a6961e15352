"""discue stats: the API usage counters of the last hour, the last 24 hours and today."""

from __future__ import annotations

import typer

from discue_cli.commands._common import run, with_output
from discue_cli.output import OutputFormat


async def stats_run(_opts, client, out) -> None:
    from discue_cli.api import stats as api

    out.show(await api.message_stats(client), noun="counters")


def register(root: typer.Typer) -> None:
    @root.command("stats")
    @with_output
    def stats(ctx: typer.Context, *, fmt: OutputFormat) -> None:
        """Counters of API usage events per window: last hour, last 24 hours, today (GET /stats/messages)."""
        run(ctx, stats_run, None, fmt)
