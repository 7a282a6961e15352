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
