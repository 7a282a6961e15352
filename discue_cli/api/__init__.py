"""The HTTP layer: knows httpx and JSON, never typer or rich."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from discue_cli.api.client import Client


def segment(value: Any, what: str) -> str:
    """One path segment made of an id: percent-encoded whole, so it can never climb to another resource.

    "", "." and ".." would still move the path (dot segments are unreserved), and control characters
    have no place in an id: those are refused before any request."""
    from urllib.parse import quote

    from discue_cli.errors import UsageError

    text = str(value)
    if text in ("", ".", "..") or not text.isprintable() and any(ord(c) < 32 or ord(c) == 127 for c in text):
        shown = text.encode("unicode_escape").decode("ascii")
        raise UsageError(f"{what} '{shown}' is not a usable id", hint="ids are single path segments")
    return quote(text, safe="")


async def call(client: Client, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """client.request, and what the reply shows of the API generation (auto learns from it)."""
    from discue_cli.api.generations import tracker

    body = await client.request(method, path, **kwargs)
    tracker(client).observe(body)
    return body


MAX_PAGES = 10_000  # a server that never stops sending `next` links: stop here rather than forever


async def listing(client: Client, path: str, key: str, embed: bool = False) -> Reply:
    """GET a listing, following its further pages while a reply links a next one (`_links.next`, on
    the same path: pagination as discue's API overview plans it); a reply with no such link is taken
    as whole. The pages are joined into one body, as if one reply had carried them all."""
    params = embed_query(client, embed)
    body = await call(client, "GET", path, params=params)
    asked: set[tuple[tuple[str, str], ...]] = set()
    for _ in range(MAX_PAGES):
        page = next_page(body, path, getattr(client, "base_url", ""))
        if page is None or page in asked:
            break
        asked.add(page)
        more = await call(client, "GET", path, params={**(params or {}), **dict(page)})
        body = joined(body, more, key)
    return Reply.many(body, key, embed)


def next_page(body: dict[str, Any], path: str, base_url: str) -> tuple[tuple[str, str], ...] | None:
    """The query of the page after `body` (its `_links.next`), when it leads to the same path on the same host."""
    links = body.get("_links")
    link = links.get("next") if isinstance(links, dict) else None
    return next_query(link.get("href") if isinstance(link, dict) else link, path, base_url)


def next_query(href: Any, path: str, base_url: str) -> tuple[tuple[str, str], ...] | None:
    """The query of the page `href` links, when it leads to the same path on the same host (a link
    anywhere else is never followed: the API key goes only where the user sent it)."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    if not isinstance(href, str):
        return None
    parts = urlsplit(href)
    if parts.netloc and parts.netloc.lower() != urlsplit(base_url).netloc.lower():
        return None
    if not unquote(parts.path).rstrip("/").endswith(unquote(path).rstrip("/")):
        return None
    return tuple(parse_qsl(parts.query)) or None


def joined(body: dict[str, Any], more: dict[str, Any], key: str) -> dict[str, Any]:
    """`body` with the items (and embedded items and item links) of the page `more` after its own."""
    result = dict(body)
    if isinstance(more.get(key), list):
        result[key] = [*(body.get(key) or []), *more[key]]
    if isinstance(more.get("_embedded"), dict) and isinstance(more["_embedded"].get(key), list):
        embedded = body.get("_embedded") if isinstance(body.get("_embedded"), dict) else {}
        result["_embedded"] = {**embedded, key: [*(embedded.get(key) or []), *more["_embedded"][key]]}
    links = {k: v for k, v in (body.get("_links") or {}).items() if k not in ("next", "prev")}
    more_links = more.get("_links") if isinstance(more.get("_links"), dict) else {}
    links.update((k, v) for k, v in more_links.items() if k not in ("self", "prev"))
    result["_links"] = links
    return result


def embed_query(client: Client, embed: bool) -> dict[str, str] | None:
    """The query that asks a list endpoint for full resources; 2023-04 and later list them whole already."""
    from discue_cli.api.generations import tracker

    return {"_embed": "true"} if embed and tracker(client).known in (None, "2022-05") else None


@dataclass
class Reply:
    """An API reply: the JSON body as received and the resources it carries, unwrapped.

    Resources are display copies: a 2024-08 `alias` shows as `name`, so every generation prints alike;
    `body` is never changed (--json prints it as the API sent it). `columns` fixes the TSV/table columns
    of replies that are not a list of named resources (stats)."""

    body: dict[str, Any]
    resources: list[dict[str, Any]] = field(default_factory=list)
    single: bool = True
    columns: list[str] | None = None

    @classmethod
    def one(cls, body: dict[str, Any], key: str) -> Reply:
        from discue_cli.api.generations import display

        item = body.get(key)
        return cls(body, [display(item)] if isinstance(item, dict) else [], single=True)

    @classmethod
    def many(cls, body: dict[str, Any], key: str, embed: bool = False) -> Reply:
        from discue_cli.api.generations import display

        embedded = body.get("_embedded")
        embedded_items = embedded.get(key) if isinstance(embedded, dict) else None
        items = embedded_items if embed and isinstance(embedded_items, list) else body.get(key)
        if not isinstance(items, list):
            items = embedded_items
        items = [display(i) for i in items if isinstance(i, dict)] if isinstance(items, list) else []
        return cls(body, items, single=False)

    @property
    def ids(self) -> list[str]:
        return [str(r["id"]) for r in self.resources if r.get("id") is not None]
