"""discue api METHOD PATH: a raw call that prints the JSON reply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import typer

from discue_cli.commands._common import context, run
from discue_cli.errors import UsageError
from discue_cli.output import OutputFormat

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


@dataclass
class ApiOptions:
    method: str
    path: str
    content: bytes | None = None
    params: dict[str, str] = field(default_factory=dict)


def parse_query(pairs: list[str]) -> dict[str, str]:
    query = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--query expects KEY=VALUE, got '{pair}'")
        query[key] = value
    return query


def check_request(method: str, path: str) -> str:
    verb = method.upper()
    if verb not in METHODS:
        raise UsageError(f"unknown method '{method}' (use one of {', '.join(METHODS)})")
    if not path.startswith("/") or "://" in path:
        raise UsageError(f"the path must start with / and be relative to the endpoint, got '{path}'")
    return verb


async def api_run(opts: ApiOptions, client: Any, out: Any) -> None:
    body = await client.request(opts.method, opts.path, content=opts.content, params=opts.params)
    if out.fmt.jq is not None:
        out.jq_results(body)
    elif body:
        out.json(body)


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
        from discue_cli.commands._input import read_json_arg

        c = context(ctx)
        fmt = OutputFormat(pretty=pretty, jq=jq)  # the body is always JSON; errors are too with --pretty or --jq
        c.output(fmt)
        opts = ApiOptions(check_request(method, path), path, params=parse_query(query or []))
        if data is not None:
            opts.content = read_json_arg(data, c.streams.stdin_bytes)
        run(ctx, api_run, opts, fmt)
