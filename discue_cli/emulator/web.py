"""HTTP plumbing of the local discue: error replies, JSON replies, links, capped request bodies."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

MAX_BODY = 1024 * 1024
TRUE = {"true", "1"}
BOOLEAN = TRUE | {"false", "0"}


class Problem(Exception):
    """An error reply: `{"title": <the status phrase>, "status", "detail"}`, as every docs page shows
    it (`title`, `status`) plus `detail`, the reason where we know one."""

    def __init__(self, status: int, detail: str | None = None):
        super().__init__(status, detail)
        self.status = status
        self.title = HTTPStatus(status).phrase
        self.detail = reason(status, detail)


def reason(status: int, detail: str | None) -> str | None:
    """`detail` without a leading "<status phrase>: " (the title says that already)."""
    if not detail:
        return None
    phrase = HTTPStatus(status).phrase
    return detail[len(phrase) + 2 :] if detail.startswith(phrase + ": ") else detail


def problem_response(status: int, detail: str | None = None, headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"title": HTTPStatus(status).phrase, "status": status}
    detail = reason(status, detail)
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, headers=headers)


def flag(request: Request, name: str) -> bool:
    """A boolean query parameter: true/false (or 1/0), given at most once; anything else is 400."""
    if not request.scope.get("query_string"):
        return False  # most requests: no need to parse
    values = request.query_params.getlist(name)
    if not values:
        return False
    if len(values) > 1 or values[0].lower() not in BOOLEAN:
        raise Problem(400, f"{name}: expected true or false")
    return values[0].lower() in TRUE


COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # built once: json.dumps with
PRETTY = json.JSONEncoder(ensure_ascii=False, indent=2)  # options builds an encoder for every call


def reply(request: Request, body: dict[str, Any], status: int = 200) -> Response:
    """A JSON reply, indented when the caller asked for `pretty=true`."""
    text = (PRETTY if flag(request, "pretty") else COMPACT).encode(body)
    return Response(text, status_code=status, media_type="application/json")


ORIGINS: dict[tuple[Any, ...], str] = {}


def base_url(request: Request) -> str:
    """Scheme, host and the /v1 prefix when the caller used it: links lead back the same way.

    The origin is Starlette's (request.url's scheme and netloc, from the Host header or the server's
    address), worked out once per scheme, Host and address: building request.url for every reply
    cost more than the rest of a GET's reply."""
    scope = request.scope
    path = scope["path"]
    prefix = "/v1" if path == "/v1" or path.startswith("/v1/") else ""
    host = next((value for key, value in scope["headers"] if key == b"host"), None)
    key = (scope.get("scheme", "http"), host, scope.get("server"))
    origin = ORIGINS.get(key)
    if origin is None:
        if len(ORIGINS) >= 256:
            ORIGINS.clear()
        url = request.url
        origin = ORIGINS[key] = f"{url.scheme}://{url.netloc}"
    return origin + prefix


def named_links(
    base: str,
    self_path: str,
    items: Iterable[dict[str, Any]],
    path_of: Callable[[dict[str, Any]], str],
) -> dict[str, Any]:
    """`self` plus one link per item at `path_of(item)`, keyed by its name (by its id where the name
    is missing or taken); `base` is the request's base_url."""
    return dict(link_pairs(base, self_path, items, path_of))


def link_pairs(
    base: str,
    self_path: str,
    items: Iterable[dict[str, Any]],
    path_of: Callable[[dict[str, Any]], str],
    names_clash_with_ids: bool = True,
) -> Iterator[tuple[str, dict[str, str]]]:
    """The (key, link) pairs of named_links, in order; a key may repeat only where a name is also an
    id. Told that none is, it remembers names only: ids are unique."""
    seen = {"self", "next", "prev"}  # a page's own links (pages.py): an item of such a name goes by its id
    yield "self", {"href": base + self_path}
    for item in items:
        key = item.get("name") or item["id"]
        if key in seen:
            key = item["id"]
        if names_clash_with_ids or key != item["id"]:
            seen.add(key)
        yield key, {"href": base + path_of(item)}


@functools.lru_cache(maxsize=256)  # clients send one Accept header or a few, on every request
def accepts_json(accept: str | None) -> bool:
    if not accept:
        return True
    for part in accept.split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media in ("*/*", "*", "application/*", "application/json") or media.endswith("+json"):
            return True
    return False


async def read_capped(request: Request, cap: int = MAX_BODY) -> bytes:
    """The request body, refused with 413 past `cap` bytes: by Content-Length before reading, and while
    reading a chunked body (never holding more than the cap and one chunk)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise Problem(400, "Content-Length: expected a number of bytes")
        if int(declared) > cap:
            raise Problem(413, f"the body may have at most {cap} bytes")
    parts, size = [], 0
    while True:  # request.stream()'s loop, without its async generator (a body is one message, mostly)
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            raise Problem(413, f"the body may have at most {cap} bytes")
        parts.append(chunk)
        if not message.get("more_body", False):
            return parts[0] if len(parts) == 1 else b"".join(parts)


async def read_json(request: Request, required: bool) -> dict[str, Any]:
    """The request's JSON object: 415 for a body that is not JSON, 400 for a malformed one."""
    raw = await read_capped(request)
    if not raw.strip():
        if required:
            raise Problem(400, "the request needs a JSON body")
        return {}
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise Problem(415)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Problem(400, "the body is not valid JSON") from None
    except RecursionError:  # arrays or objects nested thousands deep
        raise Problem(400, "the body is nested too deeply") from None
    if not isinstance(data, dict):
        raise Problem(400, "the body must be a JSON object")
    return data
