"""discue api METHOD PATH: a raw call that prints the JSON reply."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from discue_cli.commands._common import run
from discue_cli.errors import UsageError
from discue_cli.output import OutputFormat

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


def read_data(value: str) -> bytes:
    """--data as JSON text, @FILE or @-; checked to be JSON before anything is sent."""
    if value.startswith("@"):
        source = value[1:]
        try:
            raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {source}: {exc.strerror}") from None
    else:
        raw = value.encode("utf-8")
    try:
        json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"--data is not valid JSON: {exc}") from None
    return raw


def parse_query(pairs: list[str]) -> dict[str, str]:
    query = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--query expects KEY=VALUE, got '{pair}'")
        query[key] = value
    return query


def register(root: typer.Typer) -> None:
    @root.command("api")
    def api(
        ctx: typer.Context,
        method: Annotated[str, typer.Argument(help="GET, POST, PUT or DELETE.")],
        path: Annotated[str, typer.Argument(help="A path under the endpoint, e.g. /queues.")],
        data: Annotated[
            str | None, typer.Option("--data", "-d", metavar="JSON|@FILE|@-", help="The request body.")
        ] = None,
        query: Annotated[
            list[str] | None, typer.Option("--query", metavar="KEY=VALUE", help="A query parameter; repeatable.")
        ] = None,
        pretty: Annotated[bool, typer.Option("--pretty", help="Indented (sends pretty=true).")] = False,
        jq: Annotated[str | None, typer.Option("--jq", metavar="EXPR", help="Apply a jq expression.")] = None,
    ) -> None:
        """Call any endpoint and print its JSON reply."""
        fmt = OutputFormat(pretty=pretty, jq=jq)  # the body is always JSON; errors are too with --pretty or --jq
        verb = method.upper()
        checked: dict = {}

        def check(out):
            if verb not in METHODS:
                raise UsageError(f"unknown method '{method}' (use one of {', '.join(METHODS)})")
            if not path.startswith("/") or "://" in path:
                raise UsageError(f"the path must start with / and be relative to the endpoint, got '{path}'")
            checked["params"] = parse_query(query or [])
            checked["content"] = read_data(data) if data is not None else None

        async def work(client, out):
            body = await client.request(verb, path, content=checked["content"], params=checked["params"])
            if body or fmt.jq is not None:
                out.json(body) if fmt.jq is None else out.jq_results(body)

        run(ctx, work, fmt, check=check)
