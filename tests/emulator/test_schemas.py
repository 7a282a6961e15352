"""Queue message schemas (2023-04 on): stored, returned, found by id, and enforced on every new message."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.emulator.stored import data_of, stored_data

SCHEMA = {
    "userId": {"type": "string", "pattern": "^[0-9]+$"},
    "person": {
        "type": "object",
        "props": {"city": {"type": "string", "enum": ["Berlin"]}, "street": {"type": "string", "min": 2, "max": 5}},
    },
    "count": {"type": "number", "min": 0, "max": 15, "required": False},
    "tags": {"type": "array", "items": {"type": "string"}, "required": False},
}
GOOD = {"userId": "42", "person": {"city": "Berlin", "street": "Main"}}
SCHEMA_ID = hashlib.sha256(json.dumps(SCHEMA, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@pytest.fixture(params=["2023-04", "2024-08"])
def gen(request):
    return request.param


def name_key(gen: str) -> str:
    return "alias" if gen == "2024-08" else "name"


def make_queue(client, gen, schema=SCHEMA):
    r = client.post("/queues", json={name_key(gen): "orders", "schema": schema})
    assert r.status_code == 200, r.text
    return r.json()


def test_schema_is_stored_returned_and_found_by_its_sha256_id(api, gen):
    client = api(gen)
    body = make_queue(client, gen)
    queue_id = body["queue"]["id"]
    # as the docs show a queue: no schema id or link (no page says where a client finds the id)
    assert body["queue"] == {"id": queue_id, name_key(gen): "orders", "schema": SCHEMA}
    assert set(body["_links"]) == {"self"}
    schema_link = f"http://local/v1/queues/{queue_id}/schemas/{SCHEMA_ID}"
    r = client.get(f"/queues/{queue_id}/schemas/{SCHEMA_ID}")
    assert (r.status_code, r.json()) == (200, {"schema": SCHEMA, "_links": {"self": {"href": schema_link}}})
    r = client.get(f"/queues/{queue_id}/schemas/{'0' * 64}")
    assert (r.status_code, r.json()) == (404, {"title": "Not Found", "status": 404})


@pytest.mark.parametrize(
    ("data", "title"),
    [
        ({**GOOD, "userId": 42}, "data.userId: expected a string"),
        ({**GOOD, "userId": "4x"}, "data.userId: does not match the pattern ^[0-9]+$"),
        ({"person": GOOD["person"]}, "data.userId: required"),
        ({**GOOD, "person": {"city": "Paris", "street": "Main"}}, "data.person.city: expected one of Berlin"),
        ({**GOOD, "person": {"city": "Berlin", "street": "M"}}, "data.person.street: expected at least 2 characters"),
        ({**GOOD, "person": {**GOOD["person"], "zip": "1"}}, "data.person.zip: not declared in the schema"),
        ({**GOOD, "count": 16}, "data.count: expected at most 15"),
        ({**GOOD, "count": True}, "data.count: expected a number"),
        ({**GOOD, "tags": ["a", 1]}, "data.tags[1]: expected a string"),
        ({**GOOD, "person": "Berlin"}, "data.person: expected an object"),
    ],
)
def test_a_message_that_breaks_the_schema_is_422_with_the_reason_and_not_stored(api, gen, data, title):
    client = api(gen)
    queue_id = make_queue(client, gen)["queue"]["id"]
    r = client.post(f"/queues/{queue_id}/messages", json={"data": json.dumps(data)})
    assert (r.status_code, r.json()) == (422, {"title": "Unprocessable Entity", "status": 422, "detail": title})
    assert client.get(f"/queues/{queue_id}/messages").json()["messages"] == []


@pytest.mark.parametrize(
    ("data", "title"),
    [
        ("not json", "data: expected JSON text (the queue has a schema)"),
        ("[1]", "data: expected a JSON object (the queue has a schema)"),
    ],
)
def test_data_that_is_not_a_json_object_is_422(api, gen, data, title):
    client = api(gen)
    queue_id = make_queue(client, gen)["queue"]["id"]
    r = client.post(f"/queues/{queue_id}/messages", json={"data": data})
    assert (r.status_code, r.json()) == (422, {"title": "Unprocessable Entity", "status": 422, "detail": title})


def test_matching_messages_are_stored_with_their_name(api, db, gen):
    client = api(gen)
    queue_id = make_queue(client, gen)["queue"]["id"]
    extra = {**GOOD, "count": 3, "tags": ["x"], "other": True}  # the top level is not strict
    r = client.post(f"/queues/{queue_id}/messages", json={"data": json.dumps(extra), name_key(gen): "m1"})
    assert r.status_code == 200
    message = r.json()["message"]
    assert (message[name_key(gen)], json.loads(data_of(db, message["id"]))) == ("m1", extra)


@pytest.mark.parametrize(
    ("schema", "title"),
    [
        ({}, "schema: expected an object mapping field names to rules"),
        ([1], "schema: expected an object mapping field names to rules"),
        ({"a": {"type": "date"}}, "schema.a.type: expected one of object, array, string, number"),
        ({"a": {"type": "object"}}, "schema.a.props: an object rule needs props"),
        ({"a": {"type": "array"}}, "schema.a.items: an array rule needs items"),
        ({"a": {"type": "string", "pattern": "("}}, "schema.a.pattern: not a regular expression"),
        ({"a": {"type": "string", "min": 5, "max": 2}}, "schema.a: min is greater than max"),
        ({"a": {"type": "number", "props": {}}}, "schema.a.props: not a property of a number rule"),
        ({"a": {"type": "string", "required": "yes"}}, "schema.a.required: expected true or false"),
        ({"a": {"type": "string", "enum": []}}, "schema.a.enum: expected a list of strings"),
    ],
)
def test_a_malformed_schema_is_400_with_the_reason(api, gen, schema, title):
    client = api(gen)
    r = client.post("/queues", json={name_key(gen): "q", "schema": schema})
    assert r.status_code == 400
    assert r.json()["detail"].startswith(title)
    queue_id = client.post("/queues", json={name_key(gen): "q"}).json()["queue"]["id"]
    r = client.put(f"/queues/{queue_id}", json={"schema": schema})
    assert r.status_code == 400 and r.json()["detail"].startswith(title)


def test_update_replaces_and_null_removes_the_schema(api, gen):
    client = api(gen)
    queue_id = make_queue(client, gen)["queue"]["id"]
    r = client.put(f"/queues/{queue_id}", json={"schema": {"n": {"type": "number"}}})
    assert r.json()["queue"]["schema"] == {"n": {"type": "number"}}
    assert client.post(f"/queues/{queue_id}/messages", json={"data": '{"n": "1"}'}).status_code == 422
    r = client.put(f"/queues/{queue_id}", json={"schema": None})
    assert r.json()["queue"]["schema"] is None
    assert "schema" not in r.json()["_links"]
    assert client.post(f"/queues/{queue_id}/messages", json={"data": "anything"}).status_code == 200


def test_a_schema_another_process_changes_applies_to_the_next_message(api, db, gen):
    """A queue's schema is kept in memory for its POSTs; what another connection to the database (another
    process) changes applies all the same: dropped, replaced by a stricter one, or the queue deleted."""
    writer, other = api(gen), api(gen)
    queue_id = make_queue(writer, gen)["queue"]["id"]
    messages = f"/queues/{queue_id}/messages"
    assert writer.post(messages, json={"data": json.dumps(GOOD)}).status_code == 200
    assert writer.post(messages, json={"data": "anything"}).status_code == 422  # the schema is in memory now

    assert other.put(f"/queues/{queue_id}", json={"schema": None}).status_code == 200
    assert writer.post(messages, json={"data": "anything"}).status_code == 200

    assert other.put(f"/queues/{queue_id}", json={"schema": {"n": {"type": "number"}}}).status_code == 200
    r = writer.post(messages, json={"data": '{"n": "1"}'})
    assert (r.status_code, r.json()["detail"]) == (422, "data.n: expected a number")
    assert writer.post(messages, json={"data": '{"n": 1}'}).status_code == 200
    stored = stored_data(db, queue_id)
    assert stored == [json.dumps(GOOD), "anything", '{"n": 1}']

    assert other.delete(f"/queues/{queue_id}").status_code == 200
    assert writer.post(messages, json={"data": '{"n": 1}'}).status_code == 404


def test_a_message_checked_against_a_schema_replaced_meanwhile_is_checked_again(api, db, gen, monkeypatch):
    """The queue is read again inside the write's transaction: a message checked against a schema that
    another process replaced before the write is checked against the new one, never stored unchecked."""
    import sqlite3

    from discue_cli.emulator import handlers
    from discue_cli.emulator.store import canonical

    writer = api(gen)
    queue_id = make_queue(writer, gen, schema={"n": {"type": "string"}})["queue"]["id"]
    checked, replaced = handlers.check_message, []

    def replaced_meanwhile(schema, data):
        if not replaced:  # another process, between this check and the write
            with sqlite3.connect(db) as other:
                other.execute(
                    "UPDATE queues SET schema = ? WHERE id = ?", (canonical({"n": {"type": "number"}}), queue_id)
                )
            replaced.append(queue_id)
        return checked(schema, data)

    monkeypatch.setattr(handlers, "check_message", replaced_meanwhile)
    r = writer.post(f"/queues/{queue_id}/messages", json={"data": '{"n": "1"}'})  # met the string schema
    assert (replaced, r.status_code, r.json()["detail"]) == ([queue_id], 422, "data.n: expected a number")
    assert writer.post(f"/queues/{queue_id}/messages", json={"data": '{"n": 2}'}).status_code == 200
    assert stored_data(db, queue_id) == ['{"n": 2}']
