"""Fixtures the `discue listen` tests share (plain runs and per-generation runs)."""

from __future__ import annotations

import pytest

from tests.commands.listen.test_listen import Listening
from tests.emulator.test_delivery import Listener


@pytest.fixture
def running():
    """Start `discue listen` processes; any still running at the end is killed."""
    started: list[Listening] = []

    def start(*args, **kwargs) -> Listening:
        started.append(Listening(*args, **kwargs))
        return started[-1]

    yield start
    for listening in started:
        if listening.process.poll() is None:
            listening.process.kill()
            listening.process.wait(timeout=5)


@pytest.fixture
def hook():
    """A real HTTP app on 127.0.0.1 that deliveries are forwarded to."""
    app = Listener()
    yield app
    app.close()
