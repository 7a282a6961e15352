"""Helpers the queues tests share."""

from __future__ import annotations

from tests.conftest import UUID


def create(local, name: str) -> str:
    result = local("queues", "create", name, "-q")
    assert result.exit_code == 0, result.stderr
    assert UUID.fullmatch(result.stdout.strip())
    return result.stdout.strip()
