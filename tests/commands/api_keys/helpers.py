"""Helpers the api-keys tests share."""

from __future__ import annotations

from tests.stubs import SECRET, K, named


def key_object(gen: str, scopes) -> dict:
    return named(gen, K, "ci", status="enabled", key=SECRET[:3], scopes=scopes, created_at=1644616838173)
