"""Listings past STREAM_AT messages are streamed from a snapshot: the same bytes as the listing built
whole, written in bounded chunks, so the server never holds the whole reply."""

from __future__ import annotations

import asyncio

import pytest

from discue_cli.emulator import handlers
from discue_cli.emulator.app import create_app
from discue_cli.emulator.streaming import CHUNK
from tests.emulator.serving import ROOT_KEY

COUNT = handlers.STREAM_AT + 1500


def get(app, path: str, query: str = "") -> tuple[int, dict[bytes, bytes], list[bytes]]:
    """The status, headers and each body chunk the app sends, as a server would receive them."""
    sent: list[dict] = []
    requested = []

    async def receive():
        if not requested:
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"local"), (b"x-api-key", ROOT_KEY.encode())],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    return start["status"], dict(start["headers"]), [m["body"] for m in sent[1:] if m.get("body")]


@pytest.fixture(scope="module", params=["2022-05", "2024-08"])
def app(request, tmp_path_factory):
    app = create_app(tmp_path_factory.mktemp("many") / "many.sqlite3", api_key=ROOT_KEY, generation=request.param)
    store = app.state.store
    queue_id = store.create_queue("many")["id"]
    other = store.create_queue("other")["id"]
    store.add_message(other, "elsewhere", "dup")
    for i in range(COUNT):
        store.add_message(queue_id, f"data {i} ✓", None if i % 3 else ("dup" if i % 2 else f"n{i}"))
    store.add_message(queue_id, "named self", "self")
    app.state.queue_id = queue_id
    yield app
    store.close()


@pytest.mark.parametrize("query", ["", "pretty=true", "_embed=true", "_embed=true&pretty=true"])
@pytest.mark.parametrize("which", ["queue", "all"])
def test_a_long_listing_is_streamed_in_bounded_chunks_with_the_bytes_of_the_whole(app, monkeypatch, query, which):
    path = f"/v1/queues/{app.state.queue_id}/messages" if which == "queue" else "/v1/messages"
    status, headers, chunks = get(app, path, query)
    assert status == 200 and headers[b"content-type"] == b"application/json"
    assert b"content-length" not in headers  # streamed
    assert len(chunks) > 5 and max(len(c) for c in chunks) < 2 * CHUNK
    monkeypatch.setattr(handlers, "STREAM_AT", 10**9)
    status, headers, whole = get(app, path, query)
    assert status == 200 and int(headers[b"content-length"]) == len(b"".join(whole))
    assert b"".join(chunks) == b"".join(whole)


def test_a_name_that_is_another_messages_id_gets_the_listing_built_whole(app, monkeypatch):
    store = app.state.store
    first, second = store.list_messages(app.state.queue_id, limit=2)
    assert first["name"] and not second["name"]
    # Keyed by its name, the first link has the second's id; the second's link then replaces it.
    store.rename_message(app.state.queue_id, first["id"], second["id"])
    path = f"/v1/queues/{app.state.queue_id}/messages"
    try:
        _, headers, chunks = get(app, path)
        assert b"content-length" in headers  # built whole: a streamed one could not overwrite the earlier link
        monkeypatch.setattr(handlers, "STREAM_AT", 10**9)
        _, _, whole = get(app, path)
        assert b"".join(chunks) == b"".join(whole)
    finally:
        store.rename_message(app.state.queue_id, first["id"], first["name"])


def test_a_short_listing_is_one_reply_with_its_length(tmp_path):
    app = create_app(tmp_path / "few.sqlite3", api_key=ROOT_KEY, generation="2024-08")
    queue_id = app.state.store.create_queue("few")["id"]
    app.state.store.add_message(queue_id, "one")
    _, headers, chunks = get(app, f"/v1/queues/{queue_id}/messages")
    assert len(chunks) == 1 and int(headers[b"content-length"]) == len(chunks[0])
    app.state.store.close()
