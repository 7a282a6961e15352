"""The local discue as an ASGI app: routes made from the endpoint table, content negotiation, the API
key and its scopes, and error replies (`{"title", "status"}`, never a traceback)."""

from __future__ import annotations

import hmac
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from discue_cli.emulator.endpoints import Endpoint, by_path
from discue_cli.emulator.generations import DEFAULT, Generation
from discue_cli.emulator.generations import generation as resolve_generation
from discue_cli.emulator.grouped import MessageWriter
from discue_cli.emulator.store import Store
from discue_cli.emulator.views import Call
from discue_cli.emulator.web import Problem, accepts_json, base_url, flag, problem_response, read_json

log = logging.getLogger("discue.emulator")
READS = ("GET", "HEAD")
MISSING = object()
MEMO_PATH = 160  # the longest path EndpointTable remembers: ids are 21 or 36 characters


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
            return await endpoint.handler(Call(request, request.app.state.store, gen, body, query))
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


class EndpointTable:
    """The endpoint table's paths, looked up without Starlette's routing.

    Starlette tries each route's regular expression in turn (twice over: under /v1 and at the root)
    behind two middlewares and their wrappers of `send`: a fifth of a request's CPU in the local
    discue. LocalDiscue answers a path and method the table holds exactly as Starlette would have
    (the same handler, `path_params` and Request); whatever it does not hold exactly (a 404, a 405, a
    trailing slash, /openapi.json) goes through Starlette."""

    def __init__(self, table: dict[str, dict[str, Callable]]):
        self.seen: dict[tuple[str, str], Any] = {}
        self.static: dict[str, dict[str, Callable]] = {}
        self.patterns: dict[int, list[tuple[tuple[str | None, ...], tuple[str, ...], dict[str, Callable]]]] = {}
        for path, methods in table.items():
            parts = path.strip("/").split("/")
            if not any(p.startswith("{") for p in parts):
                self.static[path] = methods
                continue
            literals = tuple(None if p.startswith("{") else p for p in parts)
            names = tuple(p[1:-1] for p in parts if p.startswith("{"))
            self.patterns.setdefault(len(parts), []).append((literals, names, methods))
        for path in list(self.static):  # a path a pattern also matches: Starlette's order decides
            candidates = self.patterns.get(path.count("/"), ())
            if any(self.match(path[1:].split("/"), literals) for literals, _, _ in candidates):
                del self.static[path]

    @staticmethod
    def match(parts: list[str], literals: tuple[str | None, ...]) -> bool:
        return all(got if want is None else want == got for want, got in zip(literals, parts, strict=True))

    def find(self, path: str, method: str) -> tuple[Callable, dict[str, str]] | None:
        """The handler and path parameters of a request the table holds; None for Starlette's routing."""
        found = self.seen.get((path, method), MISSING)  # a batch posts to one path thousands of times
        if found is MISSING:
            found = self.look_up(path, method)
            if len(path) <= MEMO_PATH:  # real paths only: anyone may send any path (no key needed)
                if len(self.seen) >= 4096:
                    self.seen.clear()
                self.seen[(path, method)] = found
        return None if found is None else (found[0], dict(found[1]))

    def look_up(self, path: str, method: str) -> tuple[Callable, dict[str, str]] | None:
        if path.startswith("/v1/"):
            path = path[3:]  # Mount("/v1") in front of the same routes
        methods = self.static.get(path)
        if methods is not None:
            handler = methods.get(method)
            return (handler, {}) if handler is not None else None
        parts = path[1:].split("/")
        for literals, names, methods in self.patterns.get(len(parts), ()):
            if self.match(parts, literals):
                handler = methods.get(method)
                if handler is None:
                    return None  # Starlette may find the method on a later route, or answer 405
                values = (got for want, got in zip(literals, parts, strict=True) if want is None)
                return handler, dict(zip(names, values, strict=True))
        return None


class LocalDiscue(Starlette):
    """Starlette, with the endpoint table answered first (see EndpointTable)."""

    table: EndpointTable

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.table.find(scope["path"], scope["method"]) if scope["type"] == "http" else None
        if found is None:
            await super().__call__(scope, receive, send)
            return
        handler, scope["path_params"] = found
        scope["app"] = self
        request = Request(scope, receive, send)
        try:
            response = await handler(request)
        except HTTPException as exc:  # as Starlette's ExceptionMiddleware: answered, nothing to log
            response = await http_error(request, exc)
        except Exception as exc:  # a bug: as Starlette's ServerErrorMiddleware, a 500, and the server logs it
            await (await http_error(request, exc))(scope, receive, send)
            raise
        await response(scope, receive, send)


def api_table(gen: Generation) -> dict[str, dict[str, Callable[[Request], Awaitable[Response]]]]:
    """Path -> method -> the function that answers it (HEAD wherever GET is, as Starlette allows)."""
    table = {}
    for path, endpoints in by_path(gen).items():
        wrapped = {method: route(endpoint, gen) for method, endpoint in endpoints.items()}
        if "GET" in wrapped:
            wrapped["HEAD"] = wrapped["GET"]  # the server drops the body
        table[path] = wrapped
    return table


def api_routes(gen: Generation, table: dict[str, dict[str, Callable]]) -> list[Route]:
    routes = [
        Route(path, by_method(methods), methods=list(endpoints))
        for (path, methods), endpoints in zip(table.items(), by_path(gen).values(), strict=True)
    ]

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
) -> LocalDiscue:
    """The local discue as an ASGI app, under /v1 and at the root, speaking API `generation`
    (2022-05, 2023-04 or 2024-08; ValueError for any other)."""
    gen = resolve_generation(generation)
    store = db if isinstance(db, Store) else Store(db)
    table = api_table(gen)
    routes = api_routes(gen, table)
    app = LocalDiscue(
        routes=[Mount("/v1", routes=routes), *routes],
        exception_handlers={HTTPException: http_error, Exception: http_error},
        lifespan=lifespan,
    )
    app.table = EndpointTable(table)
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
