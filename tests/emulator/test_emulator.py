"""The local discue over real HTTP on 127.0.0.1: the 2022-05 envelopes, errors, auth, persistence, concurrency.

The shape tests serve the 2022-05 generation explicitly (uvicorn in a thread); the process tests
(restart, signals, busy port) run `discue emulator serve` and hold for any generation.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3

import httpx
import pytest

from tests.conftest import start_server
from tests.emulator.serving import serve_in_thread
from tests.emulator.stored import data_of, stored_data


@pytest.fixture
def served(tmp_path):
    with serve_in_thread(tmp_path / "served.sqlite3", "2022-05") as server:
        server.db = tmp_path / "served.sqlite3"
        yield server


@pytest.fixture
def http(served):
    with httpx.Client(base_url=served.endpoint, headers={"X-API-KEY": served.key}, timeout=10) as client:
        yield client


def test_missing_or_wrong_key_is_401(served):
    for headers in ({}, {"X-API-KEY": "wrong"}):
        r = httpx.get(served.endpoint + "/queues", headers=headers)
        assert (r.status_code, r.json()) == (401, {"title": "Unauthorized", "status": 401})


def test_queue_envelope_and_links(http, served):
    r = http.post("/queues", json={"name": "myapp.io/deletion-request-queue"})
    assert r.status_code == 200
    body = r.json()
    queue_id = body["queue"]["id"]
    assert body["queue"] == {"id": queue_id, "name": "myapp.io/deletion-request-queue", "listeners": []}
    assert body["_links"]["self"] == {"href": f"{served.endpoint}/queues/{queue_id}"}
    listing = http.get("/queues").json()
    assert listing["queues"] == [{"id": queue_id, "name": "myapp.io/deletion-request-queue"}]
    assert listing["_links"]["myapp.io/deletion-request-queue"] == {"href": f"{served.endpoint}/queues/{queue_id}"}


def test_root_paths_work_too(served):
    root = served.endpoint.removesuffix("/v1")
    r = httpx.get(root + "/queues", headers={"X-API-KEY": served.key})
    assert r.status_code == 200
    assert r.json()["_links"]["self"] == {"href": f"{root}/queues"}


def test_listener_links_embed_and_pretty(http, served):
    queue_id = http.post("/queues", json={"name": "q"}).json()["queue"]["id"]
    r = http.post(
        f"/queues/{queue_id}/listeners",
        json={
            "name": "myapp.io/deletion-request-listener",
            "notify_url": "https://myapp.io/deletion/listener",
            "liveness_url": "https://myapp.io/live",
        },
    )
    assert r.status_code == 200
    listener_id = r.json()["listener"]["id"]
    queue = http.get(f"/queues/{queue_id}").json()
    assert queue["queue"]["listeners"] == [{"id": listener_id, "name": "myapp.io/deletion-request-listener"}]
    assert queue["_links"]["myapp.io/deletion-request-listener"] == {
        "href": f"{served.endpoint}/queues/{queue_id}/listeners/{listener_id}"
    }
    plain = http.get(f"/queues/{queue_id}/listeners")
    assert "_embedded" not in plain.json()
    embedded = http.get(f"/queues/{queue_id}/listeners", params={"_embed": "true", "pretty": "true"})
    assert embedded.text.startswith('{\n  "listeners": [\n')
    full = embedded.json()["_embedded"]["listeners"][0]
    # the docs' fields; their times and failure fields only once something happened (no nulls)
    assert set(full["liveness"]) == {"state", "success_count", "failure_count"}
    assert set(full["messages"]) == {"acknowledged_count", "missed", "missed_count"}
    assert http.get("/listeners").json()["listeners"] == [{"id": listener_id, "name": full["name"]}]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": 5},
        {"name": "l", "notify_url": "http://x/n"},
        {"name": "l", "notify_url": "not a url", "liveness_url": "http://x/l"},
        {"name": "l", "notify_url": "http://x/n", "liveness_url": 7},
    ],
)
def test_listener_required_fields_are_400(http, body):
    queue_id = http.post("/queues", json={"name": "q"}).json()["queue"]["id"]
    r = http.post(f"/queues/{queue_id}/listeners", json=body)
    assert (r.status_code, r.json()) == (400, {"title": "Bad Request", "status": 400})


@pytest.mark.parametrize("body", [{}, {"data": 5}, {"data": {"a": 1}}, {"data": None}])
def test_message_data_must_be_a_string(http, body):
    queue_id = http.post("/queues", json={"name": "q"}).json()["queue"]["id"]
    assert http.post(f"/queues/{queue_id}/messages", json=body).status_code == 400


def test_malformed_json_400_non_json_415_accept_406_method_405_unknown_404(http):
    r = http.post("/queues", content=b'{"name": ', headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["title"]) == (400, "Bad Request")
    r = http.post("/queues", content=b"name=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (r.status_code, r.json()) == (415, {"title": "Unsupported Media Type", "status": 415})
    r = http.get("/queues", headers={"Accept": "text/html"})
    assert (r.status_code, r.json()) == (406, {"title": "Not Acceptable", "status": 406})
    r = http.patch("/queues")
    assert (r.status_code, r.json()) == (405, {"title": "Method Not Allowed", "status": 405})
    for path in ("/queues/nope", "/queues/nope/listeners", "/queues/nope/messages/x", "/api_keys/x"):
        r = http.get(path)
        assert (r.status_code, r.json()) == (404, {"title": "Not Found", "status": 404})


def test_duplicate_queue_name_is_422(http):
    assert http.post("/queues", json={"name": "dup"}).status_code == 200
    r = http.post("/queues", json={"name": "dup"})
    assert (r.status_code, r.json()) == (422, {"title": "Unprocessable Entity", "status": 422})


def test_deleting_a_queue_deletes_its_listeners_and_messages(http):
    queue_id = http.post("/queues", json={"name": "q"}).json()["queue"]["id"]
    http.post(
        f"/queues/{queue_id}/listeners", json={"name": "l", "notify_url": "http://x/n", "liveness_url": "http://x/l"}
    )
    message_id = http.post(f"/queues/{queue_id}/messages", json={"data": "d"}).json()["message"]["id"]
    assert http.delete(f"/queues/{queue_id}").status_code == 200
    assert http.get("/listeners").json()["listeners"] == []
    assert http.get("/messages").json()["messages"] == []
    assert http.get(f"/queues/{queue_id}/messages/{message_id}").status_code == 404


def test_api_keys_work_once_created_fail_when_disabled_and_are_redacted(http, served):
    created = http.post("/api_keys", json={"name": "ci"}).json()
    assert set(created) == {"api_key", "_links"}  # as the docs show it: the id is in the self link only
    secret, key_id = created["api_key"], created["_links"]["self"]["href"].rsplit("/", 1)[1]
    assert created["_links"]["self"] == {"href": f"{served.endpoint}/api_keys/{key_id}"}
    as_new = {"X-API-KEY": secret}
    assert httpx.get(served.endpoint + "/queues", headers=as_new).status_code == 200
    listed = http.get("/api_keys", params={"_embed": "true"}).text
    assert secret not in listed
    detail = http.get(f"/api_keys/{key_id}").json()["api_key"]
    assert detail["key"] == secret[:3] and detail["status"] == "enabled" and detail["last_used_at"]
    assert http.put(f"/api_keys/{key_id}", json={"status": "disabled"}).status_code == 200
    assert httpx.get(served.endpoint + "/queues", headers=as_new).status_code == 401
    assert http.put(f"/api_keys/{key_id}", json={"status": "paused"}).status_code == 400
    assert http.delete(f"/api_keys/{key_id}").status_code == 200
    assert http.get(f"/api_keys/{key_id}").status_code == 404


def test_api_clients_204(http):
    r = http.post("/api_clients", json={"name": "example.com/dev"})
    assert (r.status_code, r.content) == (204, b"")


def test_openapi_document_is_served(served):
    doc = httpx.get(served.endpoint.removesuffix("/v1") + "/openapi.json").json()
    assert doc["openapi"].startswith("3.") and doc["info"]["version"] == "0.1.0"
    assert "/queues/{queue_id}/listeners/{listener_id}" in doc["paths"]


def test_data_survives_a_restart_and_the_database_is_wal(tmp_path):
    db = tmp_path / "restart.sqlite3"
    first = start_server(db, "--no-deliver")
    headers = {"X-API-KEY": first.key}
    queue_id = httpx.post(first.endpoint + "/queues", json={"name": "kept"}, headers=headers).json()["queue"]["id"]
    r = httpx.post(f"{first.endpoint}/queues/{queue_id}/messages", json={"data": "still here"}, headers=headers)
    message_id = r.json()["message"]["id"]
    assert first.stop() == 0
    second = start_server(db, "--no-deliver")
    try:
        r = httpx.get(f"{second.endpoint}/queues/{queue_id}/messages/{message_id}", headers={"X-API-KEY": second.key})
        assert r.json()["message"] == {"id": message_id, "name": None}
        assert data_of(db, message_id) == "still here"
    finally:
        second.stop()
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_generated_key_is_kept_across_restarts(tmp_path):
    db = tmp_path / "key.sqlite3"
    first = start_server(db, "--no-deliver", key=None)
    first.stop()
    second = start_server(db, "--no-deliver", key=None)
    second.stop()
    assert first.key == second.key and first.key.startswith("local-")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_stop_cleanly(tmp_path, sig):
    server = start_server(tmp_path / "stop.sqlite3", "--no-deliver")
    assert server.stop(sig) == 0
    stderr = server.process.stderr.read()
    assert "Traceback" not in stderr
    assert stderr.endswith("Stopped.\n")


def test_eight_concurrent_clients_lose_no_message(served):
    headers = {"X-API-KEY": served.key}
    queue_id = httpx.post(served.endpoint + "/queues", json={"name": "busy"}, headers=headers).json()["queue"]["id"]

    async def client(n: int) -> list[str]:
        async with httpx.AsyncClient(base_url=served.endpoint, headers=headers) as c:
            ids = []
            for i in range(50):
                r = await c.post(f"/queues/{queue_id}/messages", json={"data": f"{n}-{i}"})
                assert r.status_code == 200
                ids.append(r.json()["message"]["id"])
            return ids

    async def all_clients():
        return await asyncio.gather(*(client(n) for n in range(8)))

    sent = [i for ids in asyncio.run(all_clients()) for i in ids]
    body = httpx.get(f"{served.endpoint}/queues/{queue_id}/messages", params={"_embed": "true"}, headers=headers).json()
    stored = body["_embedded"]["messages"]
    assert len(stored) == 400 and set(sent) == {m["id"] for m in stored}
    assert sorted(stored_data(served.db, queue_id)) == sorted(f"{n}-{i}" for n in range(8) for i in range(50))
    assert json.loads(json.dumps(body))  # the listing is well-formed JSON


@pytest.mark.parametrize("query", ["pretty=maybe", "pretty=true&pretty=false", "_embed=2"])
def test_malformed_boolean_parameters_are_400(http, query):
    r = http.get("/queues?" + query)
    assert (r.status_code, r.json()) == (400, {"title": "Bad Request", "status": 400})


def test_405_lists_every_method_of_the_path(http):
    r = http.patch("/queues/some-id")
    assert r.status_code == 405
    assert set(r.headers["allow"].replace(" ", "").split(",")) >= {"GET", "PUT", "DELETE"}


def test_null_for_a_string_field_is_400(http):
    assert http.post("/api_keys", json={"name": None}).status_code == 400


def test_head_works_wherever_get_does(http):
    r = http.head("/queues")
    assert (r.status_code, r.headers["content-type"], r.content) == (200, "application/json", b"")


def test_an_unusable_local_database_is_a_clear_usage_error(cli, tmp_path):
    (tmp_path / "junk.sqlite3").write_text("not a database at all, just text" * 100)
    result = cli("--local", "queues", "list", env={"DISCUE_LOCAL_DB": str(tmp_path / "junk.sqlite3")})
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: cannot use {tmp_path / 'junk.sqlite3'} as the local discue's database: file is not a database\n"
        "Hint: set DISCUE_LOCAL_DB to a writable file\n"
    )


def test_serve_on_a_busy_port_exit_2(served, cli, tmp_path):
    port = served.endpoint.rsplit(":", 1)[1].split("/")[0]
    result = cli("emulator", "serve", "--port", port, "--db", str(tmp_path / "other.sqlite3"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: cannot serve on 127.0.0.1:{port}: Address already in use\n"
