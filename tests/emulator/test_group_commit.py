"""Group commit (MessageWriter): messages POSTed together are stored in one transaction, and each reply
still waits for its message's COMMIT. Requests go through httpx.ASGITransport on one event loop, as
concurrent clients reach the server's."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from discue_cli.emulator.app import create_app
from discue_cli.emulator.store import Store
from tests.emulator.serving import ROOT_KEY

FULL = {"title": "Insufficient Storage", "status": 507, "detail": "the database or disk is full"}


@pytest.fixture
def app(tmp_path):
    app = create_app(tmp_path / "emu.sqlite3", require_key=True, api_key=ROOT_KEY)
    yield app
    app.state.store.close()


def run(app, scenario: Callable[[httpx.AsyncClient], Awaitable[Any]]) -> Any:
    """`scenario(client)` on a fresh event loop, bounded in time."""

    async def main() -> Any:
        transport = httpx.ASGITransport(app=app)
        headers = {"X-API-KEY": ROOT_KEY}
        async with httpx.AsyncClient(transport=transport, base_url="http://local/v1", headers=headers) as client:
            return await asyncio.wait_for(scenario(client), 5)

    return asyncio.run(main())


def make_queue(app, name: str) -> str:
    return app.state.store.create_queue(name)["id"]


def rows(app, sql: str, args: tuple = ()) -> list[tuple]:
    """Read through a connection of our own: only what was committed."""
    with sqlite3.connect(app.state.store.path) as connection:
        return connection.execute(sql, args).fetchall()


def stored(app) -> list[tuple[str, str, str]]:
    """(id, queue_id, data) of every message, in the order they were stored."""
    return rows(app, "SELECT id, queue_id, data FROM messages ORDER BY seq")


def message_events(app) -> list[str]:
    """The message ids of the message_added events, in the order they were stored."""
    found = rows(app, "SELECT refs FROM events WHERE type = 'message_added' ORDER BY seq")
    return [json.loads(refs)["message"]["id"] for (refs,) in found]


def post_all(client: httpx.AsyncClient, queue_id: str, count: int, tag: str = "m") -> list[Awaitable[httpx.Response]]:
    return [client.post(f"/queues/{queue_id}/messages", json={"data": f"{tag}{i}"}) for i in range(count)]


def test_messages_posted_together_are_stored_once_each_in_fewer_transactions(app):
    queue_id = make_queue(app, "orders")
    replies = run(app, lambda client: asyncio.gather(*post_all(client, queue_id, 20)))

    assert [r.status_code for r in replies] == [200] * 20
    # replies come in the order of the requests (asyncio.gather), the i-th for data f"m{i}"
    acknowledged = {f"m{i}": r.json()["message"]["id"] for i, r in enumerate(replies)}
    assert sorted(acknowledged) == sorted(f"m{i}" for i in range(20))
    messages = stored(app)
    assert sorted((data, message_id) for message_id, _, data in messages) == sorted(
        (data, message_id) for data, message_id in acknowledged.items()
    )  # each stored once, under the id its reply carried
    assert {queue for _, queue, _ in messages} == {queue_id}
    assert 1 <= app.state.messages.groups < 20
    # One message_added event per message, in the order the messages were stored.
    assert message_events(app) == [message_id for message_id, _, _ in messages]


def test_a_lone_message_is_committed_before_its_reply(app):
    queue_id = make_queue(app, "orders")

    async def one(client: httpx.AsyncClient) -> tuple[httpx.Response, list]:
        reply = await client.post(f"/queues/{queue_id}/messages", json={"data": "alone"})
        # Read at once, before this loop takes another turn (where a late flush would run).
        return reply, rows(app, "SELECT id, data FROM messages")

    reply, seen = run(app, one)
    assert reply.status_code == 200
    assert seen == [(reply.json()["message"]["id"], "alone")]
    assert app.state.messages.groups == 1


def test_a_queue_deleted_while_its_messages_wait_answers_them_404_and_stores_the_rest(app):
    """The writer is held until a DELETE of one queue has been answered: its messages were checked
    against a queue that no longer exists when their transaction runs."""
    kept, doomed = make_queue(app, "kept"), make_queue(app, "doomed")
    writer = app.state.messages
    write, writers, gate = writer.write, [], asyncio.Event()

    async def held() -> None:
        writers.append(writer.queue.qsize())
        await gate.wait()
        await write()

    async def scenario(client: httpx.AsyncClient) -> tuple[list[httpx.Response], httpx.Response]:
        posts = asyncio.gather(*post_all(client, kept, 5, "k"), *post_all(client, doomed, 5, "d"))
        deadline = time.monotonic() + 3
        while not writers or writer.queue.qsize() < 10:  # every message waits for the held writer
            assert time.monotonic() < deadline, f"only {writer.queue.qsize()} messages queued"
            await asyncio.sleep(0)
        deleted = await client.delete(f"/queues/{doomed}")
        gate.set()
        return await posts, deleted

    writer.write = held
    replies, deleted = run(app, scenario)

    assert deleted.status_code == 200
    assert len(writers) == 1  # one writer task, which stored them in one group
    assert [r.status_code for r in replies] == [200] * 5 + [404] * 5
    assert all(r.json() == {"title": "Not Found", "status": 404} for r in replies[5:])
    acknowledged = [r.json()["message"]["id"] for r in replies[:5]]
    assert [(message_id, queue) for message_id, queue, _ in stored(app)] == [(i, kept) for i in acknowledged]
    assert message_events(app) == acknowledged
    assert writer.groups == 1


def test_a_database_failure_in_a_group_answers_every_request_507_and_stores_none(app, monkeypatch):
    """The disk fills up halfway through the group's transaction: what it had written is rolled back,
    every request of the group hears 507, and the next message is stored as usual."""
    queue_id = make_queue(app, "orders")
    real_event, events = Store._event, []

    def event(self, db, kind, **refs):
        events.append(kind)
        if len(events) == 4:  # three messages in
            raise sqlite3.OperationalError("database or disk is full")
        return real_event(self, db, kind, **refs)

    monkeypatch.setattr(Store, "_event", event)
    replies = run(app, lambda client: asyncio.gather(*post_all(client, queue_id, 8)))
    monkeypatch.setattr(Store, "_event", real_event)

    assert len(events) == 4  # the failure came inside the group's one transaction
    assert [(r.status_code, r.json()) for r in replies] == [(507, FULL)] * 8
    assert stored(app) == []
    assert message_events(app) == []
    assert app.state.messages.groups == 0

    after = run(app, lambda client: client.post(f"/queues/{queue_id}/messages", json={"data": "later"}))
    assert after.status_code == 200
    assert [data for _, _, data in stored(app)] == ["later"]


def test_a_request_cancelled_before_its_group_is_stored_stores_nothing(tmp_path):
    """A request cancelled while its message waits for the group (serve's grace period ended, say) gets
    a 503 from serve, which tells the client it was not stored: so it must not be."""
    from discue_cli.emulator.grouped import MessageWriter
    from discue_cli.emulator.store import NewMessage, short_id

    store = Store(tmp_path / "cancel.sqlite3")
    queue_id = store.create_queue("q")["id"]
    writer = MessageWriter(store)

    async def scenario() -> None:
        waiting = asyncio.create_task(writer.add(NewMessage(queue_id, None, "cancelled", None, short_id)))
        joined = asyncio.create_task(writer.add(NewMessage(queue_id, None, "kept", None, short_id)))
        while writer.queue.qsize() < 2:
            await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert (await joined)["data"] == "kept"

    try:
        asyncio.run(scenario())
        assert [m["data"] for m in store.list_messages(queue_id)] == ["kept"]
    finally:
        store.close()


def test_a_request_cancelled_after_its_group_was_stored_still_answers_with_its_message(tmp_path):
    """Stored already when the cancel lands: the reply must carry the message (a 503 would have the
    client send it again, and store it twice), so the request finishes instead of being cancelled."""
    from discue_cli.emulator.grouped import MessageWriter
    from discue_cli.emulator.store import NewMessage, short_id

    store = Store(tmp_path / "late.sqlite3")
    queue_id = store.create_queue("q")["id"]
    writer = MessageWriter(store, finish_stored=True)  # as emulator serve makes it

    async def scenario() -> dict:
        request = asyncio.create_task(writer.add(NewMessage(queue_id, None, "stored", None, short_id)))
        asyncio.create_task(asyncio.sleep(0))  # something else ready: the message waits for its group
        while writer.queue.empty():
            await asyncio.sleep(0)
        writer.flush()  # the group is stored...
        request.cancel()  # ...and the cancel lands before the request resumes
        return await request

    try:
        row = asyncio.run(scenario())
        assert [m["id"] for m in store.list_messages(queue_id)] == [row["id"]]
    finally:
        store.close()


def test_in_process_a_cancel_after_the_group_was_stored_goes_through(tmp_path):
    """--local runs the app in the caller's task: a cancel there is the caller's Ctrl-C, and must stop it
    (the message is stored; the caller counts it as in flight)."""
    from discue_cli.emulator.grouped import MessageWriter
    from discue_cli.emulator.store import NewMessage, short_id

    store = Store(tmp_path / "local.sqlite3")
    queue_id = store.create_queue("q")["id"]
    writer = MessageWriter(store)

    async def scenario() -> None:
        request = asyncio.create_task(writer.add(NewMessage(queue_id, None, "stored", None, short_id)))
        asyncio.create_task(asyncio.sleep(0))
        while writer.queue.empty():
            await asyncio.sleep(0)
        writer.flush()
        request.cancel()
        with pytest.raises(asyncio.CancelledError):
            await request

    try:
        asyncio.run(scenario())
        assert [m["data"] for m in store.list_messages(queue_id)] == ["stored"]
    finally:
        store.close()
