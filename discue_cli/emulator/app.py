"""The local discue as an ASGI app: routes made from the endpoint table, content negotiation, the API
key and its scopes, and error replies (`{"title", "status"}`, never a traceback)."""

from __future__ import annotations

import hmac
import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from discue_cli.emulator.console import app_log
from discue_cli.emulator.endpoints import Endpoint, by_path
from discue_cli.emulator.generations import DEFAULT, Generation
from discue_cli.emulator.generations import generation as resolve_generation
from discue_cli.emulator.grouped import MessageWriter
from discue_cli.emulator.schema import SchemaError, compile_patterns
from discue_cli.emulator.store import Store
from discue_cli.emulator.views import Call
from discue_cli.emulator.web import Problem, accepts_json, base_url, flag, problem_response, read_json

log = app_log()
READS = ("GET", "HEAD")


def allowed(scopes: dict[str, Any] | None, resource: str, method: str, ids: Iterable[str]) -> bool:
    """Whether a key's scopes let it make this request. No scopes: every request. Otherwise the
    resource needs a scope whose access covers the method (write covers read too) and whose targets
    hold `*` or one of the ids in the request's path. Keys with scopes never reach api_keys or
    api_clients: the API cannot grant those."""
    if scopes is None:
        return True
    scope = scopes.get(resource)
    if scope is None or (method not in READS and scope["access"] != "write"):
        return False
    return "*" in scope["targets"] or any(i in scope["targets"] for i in ids)


def authorize(request: Request, endpoint: Endpoint) -> None:
    state = request.app.state
    if not state.require_key:
        return
    key = request.headers.get("x-api-key", "")
    if not key:
        raise Problem(401)
    address = request.client.host if request.client else ""
    if state.lockout is not None and (left := state.lockout.seconds_left(address)) is not None:
        raise Problem(403, f"too many invalid API keys from {address}: every key is refused for {left} more s")
    if hmac.compare_digest(key.encode(), state.root_key_bytes):  # the one key serve prints: no hashing
        return
    row = state.store.authenticate(key)
    if row is None:
        if state.lockout is not None:
            state.lockout.failed(address)
        raise Problem(401)
    if not allowed(row["scopes"], endpoint.resource, request.method, request.path_params.values()):
        access = "read" if request.method in READS else "write"
        raise Problem(403, f"Forbidden: this API key has no {access} scope on {endpoint.resource} for this target")


def database_failure(exc: sqlite3.Error) -> Response:
    """A full disk is 507; any other database failure 500. One log line, no traceback."""
    full = "full" in str(exc)
    log.error("local discue: database error: %s", exc)
    if full:
        return problem_response(507, "Insufficient Storage: the database or disk is full")
    return problem_response(500, f"Internal Server Error: database error ({exc})")


def route(endpoint: Endpoint, gen: Generation) -> Callable[[Request], Awaitable[Response]]:
    """One endpoint of the table, checked and answered as its description says."""

    async def handle(request: Request) -> Response:
        try:
            if not accepts_json(request.headers.get("accept")):
                raise Problem(406)
            flag(request, "pretty")
            if gen.embed:
                flag(request, "_embed")
            query = {param.name: param.parse(request) for param in endpoint.query}
            authorize(request, endpoint)
            body: dict[str, Any] = {}
            if endpoint.body is not None:
                body = endpoint.body.parse(await read_json(request, not endpoint.body.optional))
                if body.get("schema"):  # a queue's message schema: its patterns compiled off the loop
                    await compile_patterns(body["schema"])
            return await endpoint.handler(Call(request, request.app.state.store, gen, body, query))
        except SchemaError as exc:
            return problem_response(400, str(exc))
        except Problem as exc:
            return problem_response(exc.status, None if gen.embed else exc.detail)  # 2022-05: as before, no reasons
        except sqlite3.Error as exc:
            return database_failure(exc)
        except ClientDisconnect:  # a Ctrl-C'd batch, say: no one to answer, nothing went wrong here
            log.debug("%s %s: the client went away before sending the whole body", request.method, request.url.path)
            return problem_response(400, "the request's body was cut short")

    handle.__name__ = endpoint.handler.__name__
    return handle


def by_method(wrapped: dict[str, Callable[[Request], Awaitable[Response]]]) -> Callable[[Request], Awaitable[Response]]:
    """One route per path, so a 405 lists every method the path has in `Allow`."""

    async def dispatch(request: Request) -> Response:
        return await wrapped[request.method](request)

    return dispatch


def api_routes(gen: Generation) -> list[Route]:
    """The endpoint table as Starlette routes: one route per path, so a 405 lists every method the path
    has in `Allow` (HEAD wherever GET is: Starlette drops its body)."""
    routes = []
    for path, endpoints in by_path(gen).items():
        wrapped = {method: route(endpoint, gen) for method, endpoint in endpoints.items()}
        if "GET" in wrapped:
            wrapped["HEAD"] = wrapped["GET"]
        routes.append(Route(path, by_method(wrapped), methods=list(endpoints)))

    async def openapi(request: Request) -> Response:
        from discue_cli.emulator.openapi import document

        return JSONResponse(document(base_url(request), gen.label))

    return [*routes, Route("/openapi.json", openapi, methods=["GET"])]


async def http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    headers = getattr(exc, "headers", None)
    return problem_response(status, headers=dict(headers) if headers else None)


def create_app(
    db: Path | str | Store,
    *,
    require_key: bool = True,
    api_key: str | None = None,
    lifespan: Any = None,
    generation: str = DEFAULT,
    page_size: int | None = None,
    lockout: Any = None,
) -> Starlette:
    """The local discue as an ASGI app, under /v1 and at the root, speaking API `generation`
    (2022-05, 2023-04 or 2024-08; ValueError for any other)."""
    gen = resolve_generation(generation)
    store = db if isinstance(db, Store) else Store(db)
    routes = api_routes(gen)
    app = Starlette(
        routes=[Mount("/v1", routes=routes), *routes],
        exception_handlers={HTTPException: http_error, Exception: http_error},
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.generation = gen.label
    app.state.require_key = require_key
    app.state.lockout = lockout  # a lockout.Lockout (emulator serve) or None: invalid keys are only 401s
    app.state.page_size = page_size  # listings in pages of this many by default (pages.py); None: whole
    app.state.root_key = store.root_key(api_key) if require_key else None
    app.state.root_key_bytes = app.state.root_key.encode() if require_key else None
    app.state.on_message = lambda: None
    app.state.messages = MessageWriter(store)
    return app
