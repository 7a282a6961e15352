"""What each endpoint does. Bodies and query parameters arrive checked (see endpoints.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from discue_cli.emulator import views
from discue_cli.emulator.pages import Page
from discue_cli.emulator.schema import SchemaError, check_message, has_pattern
from discue_cli.emulator.snapshot import MessageSnapshot
from discue_cli.emulator.store import DAY_MS, STALE, NameTaken, NewMessage, now_ms
from discue_cli.emulator.streaming import Lazy
from discue_cli.emulator.views import Call
from discue_cli.emulator.web import Problem, link_pairs

STREAM_AT = 1000  # messages: longer listings are streamed


def need(value: Any) -> Any:
    if value is None or value is False:
        raise Problem(404)
    return value


def taken(call: Call, what: str) -> Problem:
    return Problem(422, f"{call.gen.name_key}: {what} with that {call.gen.name_key} exists already")


def stored(call: Call) -> dict[str, Any]:
    """The checked body under the store's column names (the generation's `alias` is the column `name`)."""
    return {"name" if key == call.gen.name_key else key: value for key, value in call.body.items()}


def deleted(call: Call) -> Response:
    """2024-08 answers a DELETE with `{"_links": {}}` (the provider reads it); earlier ones with no body."""
    return call.reply({"_links": {}}) if call.gen.since("2024-08") else Response(status_code=200)


def listing(
    call: Call,
    plural: str,
    rows: list[dict[str, Any]],
    full: Callable[[dict[str, Any]], dict[str, Any]],
    self_path: str,
    path_of: Callable[[dict[str, Any]], str],
    snapshot: MessageSnapshot | None = None,
) -> Response:
    """Whole objects (2023-04 on), or briefs plus `_embedded` on request (2022-05). With a `snapshot`
    the rows are read from it, a batch at a time, for each part of the reply as it is written.
    Served with a page size (`emulator serve --page-size`), one page of `rows` (see pages.py)."""
    page = Page.asked(call)
    if page is not None:
        return paged_listing(call, plural, page.of(rows), full, self_path, path_of, page)
    return whole_listing(call, plural, rows, full, self_path, path_of, snapshot)


def paged_listing(
    call: Call,
    plural: str,
    rows: list[dict[str, Any]],
    full: Callable[[dict[str, Any]], dict[str, Any]],
    self_path: str,
    path_of: Callable[[dict[str, Any]], str],
    page: Page,
) -> Response:
    """One page: its items, and `_links` with `self` (this page), the page's items, and `prev`/`next`
    where there are such pages."""
    shown = rows[: page.per_page]
    if call.gen.embed:
        body: dict[str, Any] = {plural: [{"id": r["id"], "name": r["name"]} for r in shown]}
        if call.query.get("_embed"):
            body["_embedded"] = {plural: [full(r) for r in shown]}
    else:
        body = {plural: [full(r) for r in shown]}
    links = call.links(self_path + page.query(page.number), shown, path_of)
    if page.number > 1:
        links["prev"] = call.link(self_path + page.query(page.number - 1))
    if len(rows) > page.per_page:
        links["next"] = call.link(self_path + page.query(page.number + 1))
    body["_links"] = links
    return call.reply(body)


def whole_listing(
    call: Call,
    plural: str,
    rows: list[dict[str, Any]],
    full: Callable[[dict[str, Any]], dict[str, Any]],
    self_path: str,
    path_of: Callable[[dict[str, Any]], str],
    snapshot: MessageSnapshot | None = None,
) -> Response:
    if snapshot is None:

        def each(shown: Callable[[dict[str, Any]], Any]) -> Any:
            return [shown(r) for r in rows]

        links: Any = call.links(self_path, rows, path_of)
    else:

        def each(shown: Callable[[dict[str, Any]], Any]) -> Any:
            return Lazy(lambda: (shown(r) for r in snapshot.rows()))

        links = Lazy(lambda: link_pairs(call.base, self_path, snapshot.rows(), path_of, False), pairs=True)
    if call.gen.embed:
        body: dict[str, Any] = {plural: each(lambda r: {"id": r["id"], "name": r["name"]})}
        if call.query.get("_embed"):
            body["_embedded"] = {plural: each(full)}
    else:
        body = {plural: each(full)}
    body["_links"] = links
    return call.reply(body) if snapshot is None else call.stream(body, snapshot.close)


# -- queues


async def list_queues(call: Call) -> Response:
    """`{queues: [{id, name}], _links}` in every generation (2024-08 says `alias`): as the docs show it,
    and GET /queues never took `_embed`."""
    rows = call.store.list_queues()
    path_of = lambda r: f"/queues/{r['id']}"  # noqa: E731
    page = Page.asked(call)
    if page is not None:
        return paged_listing(call, "queues", page.of(rows), lambda r: call.named(r), "/queues", path_of, page)
    return call.reply({"queues": [call.named(r) for r in rows], "_links": call.links("/queues", rows, path_of)})


async def create_queue(call: Call) -> Response:
    name = call.body[call.gen.name_key]
    try:
        row = call.store.create_queue(name, call.body.get("schema"), new_id=call.gen.new_id)
    except NameTaken:
        raise taken(call, "a queue") from None
    return call.reply(views.queue_body(call, row))


async def get_queue(call: Call) -> Response:
    return call.reply(views.queue_body(call, need(call.store.get_queue(call.params["queue_id"]))))


async def update_queue(call: Call) -> Response:
    queue_id = call.params["queue_id"]
    need(call.store.queue_exists(queue_id))
    try:
        row = call.store.update_queue(queue_id, stored(call))
    except NameTaken:
        raise taken(call, "a queue") from None
    return call.reply(views.queue_body(call, need(row)))


async def delete_queue(call: Call) -> Response:
    need(call.store.delete_queue(call.params["queue_id"]))
    return deleted(call)


async def get_schema(call: Call) -> Response:
    queue_id, wanted = call.params["queue_id"], call.params["schema_id"]
    row = need(call.store.get_queue(queue_id))
    if row["schema_id"] != wanted:
        raise Problem(404)
    return call.reply({"schema": row["schema"], "_links": {"self": call.link(f"/queues/{queue_id}/schemas/{wanted}")}})


# -- listeners


def listener_reply(call: Call, row: dict[str, Any], written: bool = False) -> Response:
    shown = views.listener_written(call, row) if written else views.listener(call, row)
    return call.reply({"listener": shown, "_links": {"self": call.link(views.listener_path(row))}})


async def list_all_listeners(call: Call) -> Response:
    rows = call.store.list_listeners()
    return listing(call, "listeners", rows, lambda r: views.listener(call, r), "/listeners", views.listener_path)


async def list_queue_listeners(call: Call) -> Response:
    queue_id = call.params["queue_id"]
    need(call.store.queue_exists(queue_id))
    rows = call.store.list_listeners(queue_id)
    path = f"/queues/{queue_id}/listeners"
    return listing(call, "listeners", rows, lambda r: views.listener(call, r), path, views.listener_path)


async def add_listener(call: Call) -> Response:
    queue_id = call.params["queue_id"]
    need(call.store.queue_exists(queue_id))
    changes = stored(call)
    try:
        row = call.store.add_listener(
            queue_id,
            changes["name"],
            changes["notify_url"],
            changes["liveness_url"],
            status=changes.get("status", "enabled"),
            new_id=call.gen.new_id,
        )
    except NameTaken:
        raise taken(call, "this queue has a listener") from None
    return listener_reply(call, row, written=True)


async def get_listener(call: Call) -> Response:
    return listener_reply(call, need(call.store.get_listener(call.params["queue_id"], call.params["listener_id"])))


async def update_listener(call: Call) -> Response:
    queue_id, listener_id = call.params["queue_id"], call.params["listener_id"]
    need(call.store.get_listener(queue_id, listener_id))
    try:
        row = call.store.update_listener(queue_id, listener_id, stored(call))
    except NameTaken:
        raise taken(call, "this queue has a listener") from None
    return listener_reply(call, need(row), written=True)


async def delete_listener(call: Call) -> Response:
    need(call.store.delete_listener(call.params["queue_id"], call.params["listener_id"]))
    return deleted(call)


# -- messages

SCHEMA_RACES = 5  # a message checked against a schema that changed meanwhile is checked again, so often


def message_reply(call: Call, row: dict[str, Any]) -> Response:
    return call.reply({"message": views.message(call, row), "_links": {"self": call.link(views.message_path(row))}})


async def list_all_messages(call: Call) -> Response:
    return message_listing(call, None, "/messages")


async def list_queue_messages(call: Call) -> Response:
    queue_id = call.params["queue_id"]
    need(call.store.queue_exists(queue_id))
    return message_listing(call, queue_id, f"/queues/{queue_id}/messages")


def message_listing(call: Call, queue_id: str | None, path: str) -> Response:
    """A short listing is built whole; past STREAM_AT messages it is streamed from a snapshot, so the
    server never holds 100,000 of them. (Not where a name is also an id: named_links then replaces
    an earlier link, which a stream cannot.)"""
    page = Page.asked(call)
    if page is not None:  # one page and whether there is another: never more than 101 rows
        rows = call.store.list_messages(queue_id, limit=page.per_page + 1, offset=page.offset)
        return paged_listing(call, "messages", rows, lambda r: views.message(call, r), path, views.message_path, page)
    rows = call.store.list_messages(queue_id, limit=STREAM_AT + 1)
    snapshot = call.store.message_snapshot(queue_id) if len(rows) > STREAM_AT else None
    if snapshot is not None and snapshot.names_clash_with_ids():
        snapshot.close()
        snapshot = None
    if snapshot is None and len(rows) > STREAM_AT:
        rows = call.store.list_messages(queue_id)
    return listing(call, "messages", rows, lambda r: views.message(call, r), path, views.message_path, snapshot)


async def add_message(call: Call) -> Response:
    """Store a message; on a queue with a schema, only data that satisfies it (else 422, stating why)."""
    queue_id = call.params["queue_id"]
    data = call.body["data"]
    for attempt in range(SCHEMA_RACES):
        text, schema = need(call.store.queue_schema(queue_id, fresh=attempt > 0))
        if schema:
            try:
                if has_pattern(schema):  # in a thread: other requests go on while the patterns run
                    await asyncio.to_thread(check_message, schema, data)
                else:
                    check_message(schema, data)
            except SchemaError as exc:
                if attempt == 0:
                    continue  # the schema kept in memory may be out of date: refuse only by the stored one
                raise Problem(422, str(exc)) from None
        new = NewMessage(queue_id, text, data, call.body.get(call.gen.name_key), call.gen.new_id)
        row = need(await call.request.app.state.messages.add(new))  # None: the queue was deleted meanwhile
        if row != STALE:  # else its schema changed since it was read: check the data against the new one
            call.request.app.state.on_message()
            return message_reply(call, row)
    raise Problem(409, "Conflict: the queue's schema kept changing while the message was checked; send it again")


async def get_message(call: Call) -> Response:
    return message_reply(call, need(call.store.get_message(call.params["queue_id"], call.params["message_id"])))


async def update_message(call: Call) -> Response:
    queue_id, message_id = call.params["queue_id"], call.params["message_id"]
    need(call.store.get_message(queue_id, message_id))
    row = call.store.rename_message(queue_id, message_id, call.body.get(call.gen.name_key))
    return message_reply(call, need(row))


async def delete_message(call: Call) -> Response:
    need(call.store.delete_message(call.params["queue_id"], call.params["message_id"]))
    return deleted(call)


# -- api keys and api clients


def api_key_reply(call: Call, row: dict[str, Any], secret: str | None = None) -> Response:
    body = {"api_key": views.api_key(call, row, secret), "_links": {"self": call.link(f"/api_keys/{row['id']}")}}
    return call.reply(body)


async def list_api_keys(call: Call) -> Response:
    rows = call.store.list_api_keys()
    return listing(
        call, "api_keys", rows, lambda r: views.api_key(call, r), "/api_keys", lambda r: f"/api_keys/{r['id']}"
    )


async def create_api_key(call: Call) -> Response:
    changes = stored(call)
    row, secret = call.store.create_api_key(
        changes.get("name"),
        status=changes.get("status", "enabled"),
        scopes=changes.get("scopes"),
        new_id=call.gen.new_id,
    )
    if call.gen.since("2024-08"):
        return api_key_reply(call, row, secret)
    return call.reply({"api_key": secret, "_links": {"self": call.link(f"/api_keys/{row['id']}")}})


async def get_api_key(call: Call) -> Response:
    return api_key_reply(call, need(call.store.get_api_key(call.params["api_key_id"])))


async def update_api_key(call: Call) -> Response:
    key_id = call.params["api_key_id"]
    need(call.store.get_api_key(key_id))
    row = need(call.store.update_api_key(key_id, stored(call)))
    # The docs (2022-05, 2023-04) document no body for this 200; the 2024-08 provider reads the key back.
    return api_key_reply(call, row) if call.gen.since("2024-08") else Response(status_code=200)


async def delete_api_key(call: Call) -> Response:
    need(call.store.delete_api_key(call.params["api_key_id"]))
    return deleted(call)


def api_client_reply(call: Call, row: dict[str, Any]) -> Response:
    shown = {"id": row["id"], call.gen.name_key: row["name"]}
    return call.reply({"api_client": shown, "_links": {"self": call.link(f"/api_clients/{row['id']}")}})


async def create_api_client(call: Call) -> Response:
    row = call.store.create_api_client(call.body.get(call.gen.name_key), new_id=call.gen.new_id)
    return api_client_reply(call, row) if call.gen.since("2023-04") else Response(status_code=204)


async def update_api_client(call: Call) -> Response:
    client_id = call.params["api_client_id"]
    need(call.store.get_api_client(client_id))
    # The body is an ApiClientRef, `id` included (the docs' own example sends one): the path names
    # the client, and an id is not changed, so a body's `id` is taken as given and left aside.
    return api_client_reply(call, need(call.store.update_api_client(client_id, call.body.get(call.gen.name_key))))


# -- usage events and stats


async def list_events(call: Call) -> Response:
    rows = call.store.list_events(
        call.query.get("events") or "all",
        call.query.get("limit") or 100,
        call.query.get("startAfter"),
        call.query.get("startAfterId"),
    )
    if rows is None:
        raise Problem(400, "startAfterId: no event with that id in the last 24 hours")
    client_id = call.store.client_id()
    return call.reply(
        {"events": [views.event(call, r, client_id) for r in rows], "_links": {"self": call.link("/events")}}
    )


async def message_stats(call: Call) -> Response:
    now = now_ms()
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    windows = {
        "last_24_hours": now - DAY_MS,
        "last_1_hours": now - 3600 * 1000,
        "today_so_far": int(midnight.timestamp() * 1000),
    }
    counts = call.store.event_counts(windows)
    return call.reply({"aggregated_api_usage_events": counts, "_links": {"self": call.link("/stats/messages")}})


# -- domains (2024-08)


def domain_reply(call: Call, row: dict[str, Any]) -> Response:
    return call.reply({"domain": views.domain(row), "_links": {"self": call.link(f"/domains/{row['id']}")}})


async def list_domains(call: Call) -> Response:
    rows = call.store.list_domains()
    return listing(call, "domains", rows, views.domain, "/domains", lambda r: f"/domains/{r['id']}")


async def create_domain(call: Call) -> Response:
    body = call.body
    try:
        row = call.store.create_domain(body["alias"], body["hostname"], body.get("port", 443), new_id=call.gen.new_id)
    except NameTaken:
        raise taken(call, "a domain") from None
    return domain_reply(call, row)


async def get_domain(call: Call) -> Response:
    return domain_reply(call, need(call.store.get_domain(call.params["domain_id"])))


async def update_domain(call: Call) -> Response:
    domain_id = call.params["domain_id"]
    need(call.store.get_domain(domain_id))
    try:
        row = call.store.update_domain(domain_id, stored(call))
    except NameTaken:
        raise taken(call, "a domain") from None
    return domain_reply(call, need(row))


async def delete_domain(call: Call) -> Response:
    need(call.store.delete_domain(call.params["domain_id"]))
    return deleted(call)
