"""Fixtures the command tests share: `discue listen` runs (plain and per generation), and a declared file
for apply and export."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.commands.apply.helpers import FILE
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


@pytest.fixture
def declared(tmp_path: Path) -> Path:
    path = tmp_path / "discue.toml"
    path.write_text(FILE)
    return path
