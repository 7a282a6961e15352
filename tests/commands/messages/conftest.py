"""Fixtures the messages tests share."""

from __future__ import annotations

import pytest

from tests.commands.messages.streaming import Listing


@pytest.fixture
def listing():
    made = []

    def make(count: int, **kwargs) -> Listing:
        made.append(Listing(count, **kwargs))
        return made[-1]

    yield make
    for server in made:
        server.close()
