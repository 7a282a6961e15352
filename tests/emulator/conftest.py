"""Apps of any generation over one database, driven in process."""

from __future__ import annotations

import pytest

from discue_cli.emulator.app import create_app
from tests.emulator.serving import ROOT_KEY, asgi_client


@pytest.fixture
def db(tmp_path):
    return tmp_path / "emu.sqlite3"


@pytest.fixture
def api(db):
    """api(generation, key=ROOT_KEY) -> an httpx.Client on that generation's app, all on one database."""
    opened = []

    def make(generation: str, key: str | None = ROOT_KEY):
        app = create_app(db, require_key=True, api_key=ROOT_KEY, generation=generation)
        client = asgi_client(app, key)
        opened.append((client, app))
        return client

    yield make
    for client, app in opened:
        client.close()
        app.state.store.close()
