"""The HTTP layer: knows httpx and JSON, never typer or rich."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from typing import Any

# httpx's __init__ imports its own command line (click, rich, pygments) whenever click is installed,
# and uvicorn brings click: ~50 ms of every run for a module we never use. An empty stand-in makes
# httpx take its own fallback (`from ._main import main` -> ImportError). This package always loads
# before anything of ours imports httpx.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))


def embed_query(embed: bool) -> dict[str, str] | None:
    """The query that asks a list endpoint for full resources."""
    return {"_embed": "true"} if embed else None


@dataclass
class Reply:
    """An API reply: the JSON body as received and the resources it carries, unwrapped."""

    body: dict[str, Any]
    resources: list[dict[str, Any]] = field(default_factory=list)
    single: bool = True

    @classmethod
    def one(cls, body: dict[str, Any], key: str) -> Reply:
        item = body.get(key)
        return cls(body, [item] if isinstance(item, dict) else [], single=True)

    @classmethod
    def many(cls, body: dict[str, Any], key: str, embed: bool = False) -> Reply:
        items = None
        if embed:
            embedded = body.get("_embedded")
            if isinstance(embedded, dict):
                items = embedded.get(key)
        if not isinstance(items, list):
            items = body.get(key)
        items = [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
        return cls(body, items, single=False)

    @property
    def ids(self) -> list[str]:
        return [str(r["id"]) for r in self.resources if r.get("id") is not None]
