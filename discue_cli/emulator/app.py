"""Routes of the local discue and the v0.1.0 envelopes: `_links`, `_embedded`, `pretty`, errors."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from discue_cli.emulator.store import NameTaken, Store

MAX_NAME = 256
MAX_BODY = 1024 * 1024
TRUE = {"true", "1"}
BOOLEAN = TRUE | {"false", "0"}


class Problem(Exception):
    """An error reply: `{"title", "status"}`."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def problem_response(status: int, headers: dict[str, str] | None = None) -> Response:
    body = {"title": HTTPStatus(status).phrase, "status": status}
    return JSONResponse(body, status_code=status, headers=headers)


def flag(request: Request, name: str) -> bool:
    """A boolean query parameter: true/false (or 1/0), given at most once; anything else is 400."""
    values = request.query_params.getlist(name)
    if not values:
        return False
    if len(values) > 1 or values[0].lower() not in BOOLEAN:
        raise Problem(400)
    return values[0].lower() in TRUE


def reply(request: Request, body: dict[str, Any], status: int = 200) -> Response:
    """A JSON reply, indented when the caller asked for `pretty=true`."""
    pretty = flag(request, "pretty")
    text = json.dumps(body, indent=2 if pretty else None, ensure_ascii=False, separators=None if pretty else (",", ":"))
    return Response(text, status_code=status, media_type="application/json")


def wants_embed(request: Request) -> bool:
    return flag(request, "_embed")


def base_url(request: Request) -> str:
    """Scheme, host and the /v1 prefix when the caller used it: links lead back the same way."""
    url = request.url
    prefix = "/v1" if url.path == "/v1" or url.path.startswith("/v1/") else ""
    return f"{url.scheme}://{url.netloc}{prefix}"


def link(request: Request, path: str) -> dict[str, str]:
    return {"href": base_url(request) + path}


def named_links(
    request: Request, self_path: str, items: list[dict[str, Any]], path_of: Callable[[dict[str, Any]], str]
) -> dict[str, Any]:
    """`self` plus one link per item at `path_of(item)`, keyed by its name (by its id where the name
    is missing or taken)."""
    links: dict[str, Any] = {"self": link(request, self_path)}
    for item in items:
        key = item.get("name") or item["id"]
        if key in links:
            key = item["id"]
        links[key] = link(request, path_of(item))
    return links


def accepts_json(accept: str | None) -> bool:
    if not accept:
        return True
    for part in accept.split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media in ("*/*", "*", "application/*", "application/json") or media.endswith("+json"):
            return True
    return False


async def read_json(request: Request, required: bool) -> dict[str, Any]:
    """The request's JSON object: 415 for a body that is not JSON, 400 for a malformed one."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise Problem(413)
    if not raw.strip():
        if required:
            raise Problem(400)
        return {}
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise Problem(415)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Problem(400) from None
    if not isinstance(data, dict):
        raise Problem(400)
    return data


def text_field(data: dict[str, Any], key: str, required: bool) -> str | None:
    """A non-blank string of at most MAX_NAME characters, or 400."""
    if key not in data:
        if required:
            raise Problem(400)
        return None
    value = data[key]
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME or not encodable(value):
        raise Problem(400)
    return value


def encodable(value: str) -> bool:
    """JSON can carry lone surrogates that no UTF-8 database can store."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def url_field(data: dict[str, Any], key: str, required: bool) -> str | None:
    value = text_field(data, key, required)
    if value is not None:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Problem(400)
    return value


Handler = Callable[[Request, Store], Awaitable[Response]]


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Content negotiation, the API key check, and Problem -> error reply, around one handler."""

    async def handle(request: Request) -> Response:
        state = request.app.state
        try:
            if not accepts_json(request.headers.get("accept")):
                raise Problem(406)
            flag(request, "pretty")
            flag(request, "_embed")
            if state.require_key:
                key = request.headers.get("x-api-key", "")
                if not key or (key != state.root_key and not state.store.check_key(key)):
                    raise Problem(401)
            return await handler(request, state.store)
        except Problem as exc:
            return problem_response(exc.status)

    handle.__name__ = handler.__name__
    return handle


# -- representations


def listener_full(store: Store, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "queue_id": row["queue_id"],
        "notify_url": row["notify_url"],
        "liveness_url": row["liveness_url"],
        "liveness": {
            "state": row["live_state"],
            "success_count": row["live_success_count"],
            "last_success_at": row["live_last_success_at"],
            "failure_count": row["live_failure_count"],
            "last_failure_status": row["live_last_failure_status"],
            "last_failure_at": row["live_last_failure_at"],
            "last_failure_msg": row["live_last_failure_msg"],
        },
        "messages": store.delivery_figures(row["id"]),
    }


def brief(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"]}


def key_full(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "last_used_at": row["last_used_at"],
        "key": row["key_prefix"],
        "status": row["status"],
    }


def queue_body(request: Request, queue: dict[str, Any]) -> dict[str, Any]:
    path = f"/queues/{queue['id']}"
    links = named_links(request, path, queue["listeners"], lambda item: f"{path}/listeners/{item['id']}")
    links.setdefault("listeners", link(request, f"{path}/listeners"))
    links.setdefault("messages", link(request, f"{path}/messages"))
    return {"queue": {"id": queue["id"], "name": queue["name"], "listeners": queue["listeners"]}, "_links": links}


def need(value: Any) -> Any:
    if value is None or value is False:
        raise Problem(404)
    return value


# -- queues


async def list_queues(request: Request, store: Store) -> Response:
    queues = store.list_queues()
    body: dict[str, Any] = {"queues": queues}
    if wants_embed(request):
        body["_embedded"] = {"queues": [queue_body(request, store.get_queue(q["id"]))["queue"] for q in queues]}
    body["_links"] = named_links(request, "/queues", queues, lambda item: f"/queues/{item['id']}")
    return reply(request, body)


async def create_queue(request: Request, store: Store) -> Response:
    name = text_field(await read_json(request, True), "name", True)
    try:
        queue = store.create_queue(name)
    except NameTaken:
        raise Problem(422) from None
    return reply(request, queue_body(request, queue))


async def get_queue(request: Request, store: Store) -> Response:
    return reply(request, queue_body(request, need(store.get_queue(request.path_params["queue_id"]))))


async def update_queue(request: Request, store: Store) -> Response:
    name = text_field(await read_json(request, True), "name", False)
    queue_id = request.path_params["queue_id"]
    need(store.queue_exists(queue_id))
    try:
        queue = store.rename_queue(queue_id, name)
    except NameTaken:
        raise Problem(422) from None
    return reply(request, queue_body(request, need(queue)))


async def delete_queue(request: Request, store: Store) -> Response:
    need(store.delete_queue(request.path_params["queue_id"]))
    return Response(status_code=200)


# -- listeners


def listener_body(request: Request, store: Store, row: dict[str, Any]) -> dict[str, Any]:
    path = f"/queues/{row['queue_id']}/listeners/{row['id']}"
    return {"listener": listener_full(store, row), "_links": {"self": link(request, path)}}


def listeners_body(request: Request, store: Store, rows: list[dict[str, Any]], self_path: str) -> dict[str, Any]:
    body: dict[str, Any] = {"listeners": [brief(r) for r in rows]}
    if wants_embed(request):
        body["_embedded"] = {"listeners": [listener_full(store, r) for r in rows]}
    body["_links"] = named_links(request, self_path, rows, lambda r: f"/queues/{r['queue_id']}/listeners/{r['id']}")
    return body


async def list_all_listeners(request: Request, store: Store) -> Response:
    return reply(request, listeners_body(request, store, store.list_listeners(), "/listeners"))


async def list_queue_listeners(request: Request, store: Store) -> Response:
    queue_id = request.path_params["queue_id"]
    need(store.queue_exists(queue_id))
    rows = store.list_listeners(queue_id)
    return reply(request, listeners_body(request, store, rows, f"/queues/{queue_id}/listeners"))


async def add_listener(request: Request, store: Store) -> Response:
    data = await read_json(request, True)
    name = text_field(data, "name", True)
    notify_url = url_field(data, "notify_url", True)
    liveness_url = url_field(data, "liveness_url", True)
    queue_id = request.path_params["queue_id"]
    need(store.queue_exists(queue_id))
    return reply(request, listener_body(request, store, store.add_listener(queue_id, name, notify_url, liveness_url)))


async def get_listener(request: Request, store: Store) -> Response:
    row = need(store.get_listener(request.path_params["queue_id"], request.path_params["listener_id"]))
    return reply(request, listener_body(request, store, row))


async def update_listener(request: Request, store: Store) -> Response:
    data = await read_json(request, True)
    changes = {
        key: value
        for key, value in (
            ("name", text_field(data, "name", False)),
            ("notify_url", url_field(data, "notify_url", False)),
            ("liveness_url", url_field(data, "liveness_url", False)),
        )
        if value is not None
    }
    queue_id, listener_id = request.path_params["queue_id"], request.path_params["listener_id"]
    need(store.get_listener(queue_id, listener_id))
    return reply(request, listener_body(request, store, store.update_listener(queue_id, listener_id, changes)))


async def delete_listener(request: Request, store: Store) -> Response:
    need(store.delete_listener(request.path_params["queue_id"], request.path_params["listener_id"]))
    return Response(status_code=200)


# -- messages


def message_body(request: Request, row: dict[str, Any]) -> dict[str, Any]:
    path = f"/queues/{row['queue_id']}/messages/{row['id']}"
    return {"message": row, "_links": {"self": link(request, path)}}


def messages_body(request: Request, rows: list[dict[str, Any]], self_path: str) -> dict[str, Any]:
    body: dict[str, Any] = {"messages": [brief(r) for r in rows]}
    if wants_embed(request):
        body["_embedded"] = {"messages": rows}
    body["_links"] = named_links(request, self_path, rows, lambda r: f"/queues/{r['queue_id']}/messages/{r['id']}")
    return body


async def list_all_messages(request: Request, store: Store) -> Response:
    return reply(request, messages_body(request, store.list_messages(), "/messages"))


async def list_queue_messages(request: Request, store: Store) -> Response:
    queue_id = request.path_params["queue_id"]
    need(store.queue_exists(queue_id))
    return reply(request, messages_body(request, store.list_messages(queue_id), f"/queues/{queue_id}/messages"))


async def add_message(request: Request, store: Store) -> Response:
    data = await read_json(request, True)
    if not isinstance(data.get("data"), str) or not encodable(data["data"]):
        raise Problem(400)
    queue_id = request.path_params["queue_id"]
    need(store.queue_exists(queue_id))
    row = store.add_message(queue_id, data["data"])
    request.app.state.on_message()
    return reply(request, message_body(request, row))


async def get_message(request: Request, store: Store) -> Response:
    row = need(store.get_message(request.path_params["queue_id"], request.path_params["message_id"]))
    return reply(request, message_body(request, row))


async def update_message(request: Request, store: Store) -> Response:
    name = text_field(await read_json(request, False), "name", False)
    queue_id, message_id = request.path_params["queue_id"], request.path_params["message_id"]
    need(store.get_message(queue_id, message_id))
    return reply(request, message_body(request, need(store.rename_message(queue_id, message_id, name))))


async def delete_message(request: Request, store: Store) -> Response:
    need(store.delete_message(request.path_params["queue_id"], request.path_params["message_id"]))
    return Response(status_code=200)


# -- api keys and api clients


async def list_api_keys(request: Request, store: Store) -> Response:
    rows = store.list_api_keys()
    body: dict[str, Any] = {"api_keys": [brief(r) for r in rows]}
    if wants_embed(request):
        body["_embedded"] = {"api_keys": [key_full(r) for r in rows]}
    body["_links"] = named_links(request, "/api_keys", rows, lambda item: f"/api_keys/{item['id']}")
    return reply(request, body)


async def create_api_key(request: Request, store: Store) -> Response:
    name = text_field(await read_json(request, False), "name", False)
    row, secret = store.create_api_key(name)
    return reply(
        request, {"api_key": secret, "id": row["id"], "_links": {"self": link(request, f"/api_keys/{row['id']}")}}
    )


def api_key_body(request: Request, row: dict[str, Any]) -> dict[str, Any]:
    return {"api_key": key_full(row), "_links": {"self": link(request, f"/api_keys/{row['id']}")}}


async def get_api_key(request: Request, store: Store) -> Response:
    return reply(request, api_key_body(request, need(store.get_api_key(request.path_params["api_key_id"]))))


async def update_api_key(request: Request, store: Store) -> Response:
    data = await read_json(request, False)
    changes = {}
    name = text_field(data, "name", False)
    if name is not None:
        changes["name"] = name
    if "status" in data:
        if data["status"] not in ("enabled", "disabled"):
            raise Problem(400)
        changes["status"] = data["status"]
    key_id = request.path_params["api_key_id"]
    need(store.get_api_key(key_id))
    return reply(request, api_key_body(request, need(store.update_api_key(key_id, changes))))


async def delete_api_key(request: Request, store: Store) -> Response:
    need(store.delete_api_key(request.path_params["api_key_id"]))
    return Response(status_code=200)


async def create_api_client(request: Request, store: Store) -> Response:
    data = await read_json(request, False)
    store.create_api_client(text_field(data, "name", False))
    return Response(status_code=204)


async def openapi(request: Request) -> Response:
    from discue_cli.emulator.openapi import document

    return JSONResponse(document(base_url(request)))


def by_method(handlers: dict[str, Handler]) -> Callable[[Request], Awaitable[Response]]:
    """One route per path, so a 405 lists every method the path has in `Allow`."""
    wrapped = {method: endpoint(handler) for method, handler in handlers.items()}
    if "GET" in wrapped:
        wrapped["HEAD"] = wrapped["GET"]  # Starlette allows HEAD wherever GET is; the server drops the body

    async def dispatch(request: Request) -> Response:
        return await wrapped[request.method](request)

    return dispatch


def api_routes() -> list[Route]:
    table: dict[str, dict[str, Handler]] = {
        "/queues": {"GET": list_queues, "POST": create_queue},
        "/queues/{queue_id}": {"GET": get_queue, "PUT": update_queue, "DELETE": delete_queue},
        "/queues/{queue_id}/listeners": {"GET": list_queue_listeners, "POST": add_listener},
        "/queues/{queue_id}/listeners/{listener_id}": {
            "GET": get_listener,
            "PUT": update_listener,
            "DELETE": delete_listener,
        },
        "/queues/{queue_id}/messages": {"GET": list_queue_messages, "POST": add_message},
        "/queues/{queue_id}/messages/{message_id}": {
            "GET": get_message,
            "PUT": update_message,
            "DELETE": delete_message,
        },
        "/listeners": {"GET": list_all_listeners},
        "/messages": {"GET": list_all_messages},
        "/api_keys": {"GET": list_api_keys, "POST": create_api_key},
        "/api_keys/{api_key_id}": {"GET": get_api_key, "PUT": update_api_key, "DELETE": delete_api_key},
        "/api_clients": {"POST": create_api_client},
    }
    routes = [Route(path, by_method(handlers), methods=list(handlers)) for path, handlers in table.items()]
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
) -> Starlette:
    """The local discue as an ASGI app, under /v1 and at the root."""
    store = db if isinstance(db, Store) else Store(db)
    routes = api_routes()
    app = Starlette(
        routes=[Mount("/v1", routes=routes), *routes],
        exception_handlers={HTTPException: http_error, Exception: http_error},
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.require_key = require_key
    app.state.root_key = store.root_key(api_key) if require_key else None
    app.state.on_message = lambda: None
    return app
