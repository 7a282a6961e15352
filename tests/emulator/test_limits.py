"""Request size caps over a real socket, a full disk, and databases from before the generations."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import sqlite3

import pytest

from discue_cli.emulator.store import Store
from discue_cli.emulator.web import MAX_BODY
from tests.emulator.serving import serve_in_thread


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with serve_in_thread(tmp_path_factory.mktemp("limits") / "limits.sqlite3", "2023-04") as server:
        yield server


def exchange(served, head: str, body_chunks: list[bytes] = ()) -> tuple[int, dict]:
    """Send a raw request (the body as given, maybe never, maybe cut short by the server's reply),
    then read one reply: its status and JSON body."""
    host, port = served.endpoint.removeprefix("http://").removesuffix("/v1").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n")
        with contextlib.suppress(ConnectionError):  # a server that refused the body stops reading it
            for chunk in body_chunks:
                sock.sendall(chunk)
        reply = sock.makefile("rb")
        status = int(reply.readline().split()[1])
        headers = {}
        while (line := reply.readline().decode().strip()) != "":
            name, _, value = line.partition(":")
            headers[name.lower()] = value.strip()
        return status, json.loads(reply.read(int(headers["content-length"])))


def test_content_length_over_the_cap_is_413_before_any_body_is_sent(served):
    head = (
        f"POST /v1/queues HTTP/1.1\nHost: x\nX-API-KEY: {served.key}\nContent-Type: application/json\n"
        f"Content-Length: {MAX_BODY + 1}\n"
    )
    status, body = exchange(served, head)  # the body is never sent: the reply must not wait for it
    assert (status, body) == (
        413,
        {"title": "Request Entity Too Large", "status": 413, "detail": f"the body may have at most {MAX_BODY} bytes"},
    )


def test_a_chunked_body_over_the_cap_is_413(served):
    head = (
        f"POST /v1/queues HTTP/1.1\nHost: x\nX-API-KEY: {served.key}\nContent-Type: application/json\n"
        "Transfer-Encoding: chunked\n"
    )
    chunk = b" " * 65536
    chunks = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * (MAX_BODY // len(chunk) + 2) + [b"0\r\n\r\n"]
    status, body = exchange(served, head, chunks)
    assert (status, body["status"]) == (413, 413)


def test_a_body_at_the_cap_is_read(served):
    payload = json.dumps({"name": "capped", "pad": " " * (MAX_BODY - 40)}).encode()
    assert len(payload) <= MAX_BODY
    head = (
        f"POST /v1/queues HTTP/1.1\nHost: x\nX-API-KEY: {served.key}\nContent-Type: application/json\n"
        f"Content-Length: {len(payload)}\n"
    )
    status, body = exchange(served, head, [payload])
    assert (status, body["queue"]["name"]) == (200, "capped")


def test_a_full_disk_is_507_with_one_log_line_and_nothing_half_written(api, caplog):
    client = api("2023-04")
    queue_id = client.post("/queues", json={"name": "q"}).json()["queue"]["id"]
    store = client.app.state.store
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")
    with caplog.at_level(logging.ERROR, logger="discue.emulator"):
        r = client.post(f"/queues/{queue_id}/messages", json={"data": "x" * 100_000})
    assert (r.status_code, r.json()) == (
        507,
        {"title": "Insufficient Storage", "status": 507, "detail": "the database or disk is full"},
    )
    assert [record.getMessage() for record in caplog.records] == [
        "local discue: database error: database or disk is full"
    ]
    assert caplog.records[0].exc_info is None
    store.db.execute("PRAGMA max_page_count = 1073741823")
    assert client.get(f"/queues/{queue_id}/messages").json()["messages"] == []
    assert client.post(f"/queues/{queue_id}/messages", json={"data": "x"}).status_code == 200


def test_other_database_failures_are_500_with_a_title(api, caplog):
    client = api("2024-08")
    client.app.state.store.db.execute("DROP TABLE domains")
    with caplog.at_level(logging.ERROR, logger="discue.emulator"):
        r = client.get("/domains")
    assert (r.status_code, r.json()) == (
        500,
        {"title": "Internal Server Error", "status": 500, "detail": "database error (no such table: domains)"},
    )
    assert len(caplog.records) == 1


def test_a_database_from_before_the_generations_is_upgraded_and_its_uuid_rows_keep_working(tmp_path, api, db):
    old = Store(db)
    old.create_queue("kept")
    old.close()
    raw = sqlite3.connect(db)
    for table, column in (("queues", "schema"), ("listeners", "status"), ("api_keys", "scopes")):
        raw.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    raw.commit()
    raw.close()
    client = api("2023-04")
    queue = client.get("/queues").json()["queues"][0]
    assert (queue["name"], len(queue["id"])) == ("kept", 36)
    r = client.put(f"/queues/{queue['id']}", json={"schema": {"a": {"type": "string"}}})
    assert r.status_code == 200 and r.json()["queue"]["schema"] == {"a": {"type": "string"}}
