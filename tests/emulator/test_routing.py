"""The local discue's one router (Starlette's, built from the endpoint table): what it answers for the
table's paths, for paths and methods the table lacks, and for a handler that fails."""

from __future__ import annotations

import asyncio

import pytest

from discue_cli.emulator import handlers
from discue_cli.emulator.app import create_app
from tests.emulator.serving import ROOT_KEY, asgi_client

KEY = ((b"x-api-key", ROOT_KEY.encode()),)


def scope(method: str, path: str, headers: tuple = KEY) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8080),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": method,
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8080"), *headers],
        "state": {},
    }


async def drive(app, method: str, path: str) -> list:
    """What the app sent, message by message, and the exception it raised (if any) last."""
    sent: list = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(dict(message))

    try:
        await asyncio.wait_for(app(scope(method, path), receive, send), 5)
    except Exception as exc:
        sent.append(("raised", type(exc).__name__, str(exc)))
    return sent


@pytest.fixture
def client(tmp_path):
    app = create_app(tmp_path / "emu.sqlite3", require_key=True, api_key=ROOT_KEY)
    with asgi_client(app) as client:
        yield client
    app.state.store.close()


def test_every_path_is_served_under_v1_and_at_the_root(client):
    queue_id = client.post("/queues", json={"name": "q"}).json()["queue"]["id"]
    for base in ("http://local/v1", "http://local"):
        r = client.get(f"{base}/queues/{queue_id}")
        assert (r.status_code, r.json()["queue"]["id"]) == (200, queue_id)
        assert r.json()["_links"]["self"]["href"] == f"{base}/queues/{queue_id}"


def test_head_is_answered_wherever_get_is_without_a_body(client):
    r = client.head("/queues")
    assert (r.status_code, r.content) == (200, b"")
    assert int(r.headers["content-length"]) > 0


def test_a_method_the_path_lacks_is_405_listing_every_method_it_has(client):
    r = client.patch("/queues")
    assert (r.status_code, r.json()) == (405, {"title": "Method Not Allowed", "status": 405})
    assert sorted(r.headers["allow"].split(", ")) == ["GET", "HEAD", "POST"]  # Starlette's order is a set's


@pytest.mark.parametrize("path", ["/v2/queues", "/v1/nothing", "/V1/queues", "/v1//queues"])
def test_a_path_the_table_lacks_is_404(client, path):
    r = client.get("http://local" + path)
    assert (r.status_code, r.json()) == (404, {"title": "Not Found", "status": 404})


def test_a_trailing_slash_is_redirected_to_the_path_without_it(client):
    r = client.get("/queues/")
    assert (r.status_code, r.headers["location"]) == (307, "http://local/v1/queues")


def test_the_openapi_document_is_served(client):
    assert client.get("/openapi.json").json()["openapi"].startswith("3.")


def test_a_handler_that_fails_answers_500_and_raises_to_the_server(tmp_path, monkeypatch):
    """A bug in a handler: a JSON 500 reply (Starlette's ServerErrorMiddleware with the app's handler),
    and the exception still reaches the server, which logs it."""

    async def broken(call):
        raise RuntimeError("a bug in list_queues")

    monkeypatch.setattr(handlers, "list_queues", broken)  # endpoints() reads it when the app is made
    app = create_app(tmp_path / "emu.sqlite3", require_key=True, api_key=ROOT_KEY)
    try:
        start, body, raised = asyncio.run(drive(app, "GET", "/v1/queues"))
    finally:
        app.state.store.close()
    assert (start["status"], dict(start["headers"])[b"content-type"]) == (500, b"application/json")
    assert body["body"] == b'{"title":"Internal Server Error","status":500}'
    assert raised == ("raised", "RuntimeError", "a bug in list_queues")


def test_an_http_exception_in_a_handler_is_answered_without_raising(tmp_path, monkeypatch):
    from starlette.exceptions import HTTPException

    async def refused(call):
        raise HTTPException(418)

    monkeypatch.setattr(handlers, "list_queues", refused)
    app = create_app(tmp_path / "emu.sqlite3", require_key=True, api_key=ROOT_KEY)
    try:
        start, body, *rest = asyncio.run(drive(app, "GET", "/v1/queues"))
    finally:
        app.state.store.close()
    assert (start["status"], body["body"], rest) == (418, b'{"title":"I\'m a Teapot","status":418}', [])
