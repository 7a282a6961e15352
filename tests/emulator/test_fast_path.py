"""LocalDiscue answers the endpoint table's paths before Starlette's routing and middleware
(EndpointTable): every reply must be the one Starlette's path gives, byte for byte, and whatever the
table does not hold must reach Starlette and behave as before.

Two apps over two copies of one populated database get the same requests in the same order: one
through LocalDiscue.__call__, the other through Starlette.__call__ (the fast path bypassed). The time
and randomness the store draws are replayed per request, so even the ids and times a write makes are
the same on both sides, and the two databases stay equal."""

from __future__ import annotations

import asyncio
import base64
import json
import random
import sqlite3
import time
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import quote, unquote

import pytest
from starlette.applications import Starlette

import discue_cli.emulator.store as store_module
from discue_cli.emulator import handlers
from discue_cli.emulator.app import create_app
from discue_cli.emulator.endpoints import by_path
from discue_cli.emulator.generations import GENERATIONS, generation
from discue_cli.emulator.store import canonical
from discue_cli.emulator.store import schema_id as store_schema_id
from discue_cli.emulator.web import ORIGINS
from tests.emulator.serving import ROOT_KEY, asgi_client

URLS = {"notify_url": "http://127.0.0.1:1/n", "liveness_url": "http://127.0.0.1:1/l"}
WRITES = ("POST", "PUT", "PATCH", "DELETE")
ODD_TARGETS = ("/", "/v1", "/v1/", "/v1//", "/v1queues", "/v1/v1/queues", "/v1//queues", "/v2/queues", "/V1/queues")


class Replay:
    """The clock and the randomness the store draws (store.time, store.secrets, store.uuid, store.RANDOM), started
    afresh for each request: both apps of a pair make the same ids, keys and times."""

    def __init__(self) -> None:
        self.base = time.time()
        self.start(0)

    def start(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.now = self.base + seed  # a second per request: times differ between requests, not within a pair

    def time(self) -> float:
        return self.now

    def time_ns(self) -> int:
        return int(self.now * 1e9)

    def token_bytes(self, n: int) -> bytes:
        return self.random.randbytes(n)

    def token_urlsafe(self, n: int) -> str:
        return base64.urlsafe_b64encode(self.token_bytes(n)).rstrip(b"=").decode()

    def token_hex(self, n: int) -> str:
        return self.token_bytes(n).hex()

    def uuid4(self) -> uuid.UUID:
        return uuid.UUID(int=self.random.getrandbits(128), version=4)


@pytest.fixture
def replay(monkeypatch) -> Replay:
    replay = Replay()
    monkeypatch.setattr(store_module, "time", SimpleNamespace(time=replay.time, time_ns=replay.time_ns))
    fake = SimpleNamespace(
        token_bytes=replay.token_bytes, token_urlsafe=replay.token_urlsafe, token_hex=replay.token_hex
    )
    monkeypatch.setattr(store_module, "secrets", fake)
    monkeypatch.setattr(store_module, "uuid", SimpleNamespace(uuid4=replay.uuid4))
    monkeypatch.setattr(store_module.RANDOM, "take", replay.token_bytes)  # ids' random bytes
    return replay


@dataclass
class Exchange:
    """A request as a server would hand it over: the raw target (percent-encoding kept) and headers."""

    method: str
    target: str
    body: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = ((b"x-api-key", ROOT_KEY.encode()),)
    from_table: bool = False  # a path and method of the endpoint table: must take the fast path

    def content(self) -> list[tuple[bytes, bytes]]:
        if not self.body:
            return []
        return [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(self.body))]

    def scope(self) -> dict:
        raw, _, query = self.target.partition("?")
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "server": ("127.0.0.1", 8080),
            "client": ("127.0.0.1", 50000),
            "scheme": "http",
            "method": self.method,
            "root_path": "",
            "path": unquote(raw),  # as uvicorn (whose spec_version above is too) decodes it
            "raw_path": raw.encode(),
            "query_string": query.encode(),
            "headers": [(b"host", b"127.0.0.1:8080"), *self.headers, *self.content()],
            "state": {},
        }


async def drive(app, exchange: Exchange) -> list:
    """What the app sent, message by message, and the exception it raised (if any) last."""
    sent: list = []
    done = asyncio.Event()
    delivered = False

    async def receive() -> dict:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": exchange.body, "more_body": False}
        await done.wait()  # as uvicorn: a disconnect once the reply is complete
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(dict(message))
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            done.set()

    try:
        await asyncio.wait_for(app(exchange.scope(), receive, send), 5)
    except Exception as exc:  # compared too: the same exception must escape both ways
        sent.append(("raised", type(exc).__name__, str(exc)))
    return sent


class Counting:
    """Starlette's middleware stack, counting the requests that reach it."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.calls = 0

    async def __call__(self, scope, receive, send) -> None:
        self.calls += 1
        await self.inner(scope, receive, send)


def populate(db, label: str) -> dict[str, str]:
    """One of everything the generation serves; the ids its paths take."""
    gen = generation(label)
    name = gen.name_key
    app = create_app(db, require_key=True, api_key=ROOT_KEY, generation=label)
    client = asgi_client(app)
    try:
        schema = {"schema": {"n": {"type": "number"}}} if gen.since("2023-04") else {}
        queue = client.post("/queues", json={name: "orders", **schema}).json()["queue"]
        schema_id = store_schema_id(canonical(queue["schema"])) if queue.get("schema") else None
        ids = {"queue_id": queue["id"], "schema_id": schema_id or "none"}
        ids["spare_queue_id"] = client.post("/queues", json={name: "spare"}).json()["queue"]["id"]
        listeners = f"/queues/{queue['id']}/listeners"
        ids["listener_id"] = client.post(listeners, json={name: "hook", **URLS}).json()["listener"]["id"]
        for n in range(3):
            reply = client.post(f"/queues/{queue['id']}/messages", json={"data": f'{{"n": {n}}}'})
            ids["message_id"] = reply.json()["message"]["id"]
        key = client.post("/api_keys", json={name: "ci"}).json()
        ids["api_key_id"] = key["_links"]["self"]["href"].rsplit("/", 1)[1]
        reply = client.post("/api_clients", json={name: "tool"})
        ids["api_client_id"] = reply.json()["api_client"]["id"] if reply.content else "none"
        if gen.since("2023-04"):  # a key that may only read the first queue: path_params decide (403)
            ids["scoped_key"] = scoped_key(client, label, queue["id"])
        if gen.since("2024-08"):
            domain = {"alias": "shop", "hostname": "shop.example.com"}
            ids["domain_id"] = client.post("/domains", json=domain).json()["domain"]["id"]
    finally:
        client.close()
        app.state.store.close()
    return ids


def scoped_key(client, label: str, queue_id: str) -> str:
    resources = ("queues", "listeners", "messages")
    if label == "2024-08":
        scopes = {r: {"access": "read", "targets": [queue_id]} for r in resources}
        return client.post("/api_keys", json={"alias": "reader", "scopes": scopes}).json()["api_key"]["key"]
    scopes = [{"resource": r, "access": "read", "targets": [queue_id]} for r in resources]
    return client.post("/api_keys", json={"name": "reader", "scopes": scopes}).json()["api_key"]


def body_for(path: str, method: str, name: str) -> bytes:
    """A body each write takes (so most writes succeed, and change the databases)."""
    if method not in ("POST", "PUT"):
        return b""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    fields: dict = {name: f"{method.lower()}-{last}"}
    if last == "listeners" and method == "POST":
        fields |= URLS
    if last == "messages" and method == "POST":
        fields = {"data": '{"n": 7}'}
    if last == "domains":
        fields = {"alias": "more", "hostname": "more.example.com"}
    return json.dumps(fields).encode()


def requests(label: str, ids: dict[str, str]) -> list[Exchange]:
    gen = generation(label)
    table = by_path(gen)
    made: list[Exchange] = []
    for template, endpoints in table.items():
        path = template.format(**ids)
        methods = [*endpoints, *(["HEAD"] if "GET" in endpoints else [])]
        for prefix in ("/v1", ""):
            for method in methods:
                body = body_for(template, method, gen.name_key)
                made.append(Exchange(method, prefix + path, body, from_table=True))
                made.append(Exchange(method, prefix + path + "?pretty=true", body, from_table=True))
            for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "get", "TRACE"):
                if method not in methods:
                    made.append(Exchange(method, prefix + path))  # 405 with Allow, or 404
            made.append(Exchange("GET", prefix + path + "/"))  # trailing slash
            made.append(Exchange("POST", prefix + path + "/", body_for(template, "POST", gen.name_key)))
            made.append(Exchange("GET", prefix + "/" + path))  # a leading //
            made.append(Exchange("GET", prefix + path.replace("/", "//")))
            made.append(Exchange("GET", prefix + path + "?pretty=maybe", from_table="GET" in endpoints))
            made.append(Exchange("GET", prefix + path + "?_embed=true", from_table="GET" in endpoints))
            made.append(Exchange("GET", prefix + path, headers=(), from_table="GET" in endpoints))  # no key: 401
            accept = ((b"x-api-key", ROOT_KEY.encode()), (b"accept", b"text/html"))
            made.append(Exchange("GET", prefix + path, headers=accept, from_table="GET" in endpoints))
            if "scoped_key" in ids and "GET" in endpoints:
                reader = ((b"x-api-key", ids["scoped_key"].encode()),)
                made.append(Exchange("GET", prefix + path, headers=reader, from_table=True))
                spare = template.format(**{**ids, "queue_id": ids["spare_queue_id"]})
                made.append(Exchange("GET", prefix + spare, headers=reader, from_table=True))
            for key, value in ids.items():
                if "{" + key + "}" not in template:
                    continue
                for odd in ("", "%20", value + "%2F", value + "%2Fx", "%2F" + value, quote(value, safe="")):
                    made.append(Exchange("GET", prefix + template.format(**{**ids, key: odd})))
                    made.append(Exchange("DELETE", prefix + template.format(**{**ids, key: odd})))
                spelled = "".join(f"%{ord(c):02X}" for c in value)  # the real id, every character encoded
                made.append(Exchange("GET", prefix + template.format(**{**ids, key: spelled})))
    for target in ODD_TARGETS:
        for method in ("GET", "POST", "OPTIONS"):
            made.append(Exchange(method, target))
    for target in ("/nope", "/v1/nope", "/queues/x/nope", "/v1/queues/x/y/z/w", "/openapi.json", "/v1/openapi.json"):
        made.append(Exchange("GET", target))
        made.append(Exchange("HEAD", target))
    made.append(Exchange("POST", "/v1/queues", b"{not json", from_table=True))
    made.append(Exchange("POST", "/v1/queues", b'{"unknown": 1}', from_table=True))
    # Reads first, then writes; deletes last, the deepest paths first, so most writes find their target.
    rank = {"DELETE": 2}
    return sorted(made, key=lambda r: (rank.get(r.method, 1 if r.method in WRITES else 0), -r.target.count("/")))


def dump(db) -> list:
    with sqlite3.connect(db) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return [(t, sorted(map(repr, connection.execute(f"SELECT * FROM {t}")))) for t in sorted(tables)]


@pytest.mark.parametrize("label", GENERATIONS)
def test_the_fast_path_answers_every_request_as_starlette_does(tmp_path, replay, monkeypatch, label):
    monkeypatch.setattr(handlers, "STREAM_AT", 2)  # message listings of 3 are streamed, as long ones are
    ids = populate(tmp_path / "fast.sqlite3", label)
    with sqlite3.connect(tmp_path / "fast.sqlite3") as source, sqlite3.connect(tmp_path / "ref.sqlite3") as copy:
        source.backup(copy)
    fast = create_app(tmp_path / "fast.sqlite3", require_key=True, api_key=ROOT_KEY, generation=label)
    ref = create_app(tmp_path / "ref.sqlite3", require_key=True, api_key=ROOT_KEY, generation=label)
    fast.middleware_stack = starlette = Counting(fast.build_middleware_stack())
    exchanges = requests(label, ids)

    async def bypass(scope, receive, send):
        await Starlette.__call__(ref, scope, receive, send)

    async def compare() -> tuple[list, list, dict]:
        differences, skipped, statuses = [], [], {}
        for seed, exchange in enumerate(exchanges):
            ORIGINS.clear()  # each side works out its own links' origin
            replay.start(seed)
            before = starlette.calls
            got = await drive(fast, exchange)
            took_starlette = starlette.calls > before
            ORIGINS.clear()
            replay.start(seed)
            expected = await drive(bypass, exchange)
            if got != expected:
                differences.append((exchange.method, exchange.target, got, expected))
            if exchange.from_table and took_starlette:
                skipped.append((exchange.method, exchange.target))
            status = got[0]["status"] if got and isinstance(got[0], dict) else None
            statuses[status] = statuses.get(status, 0) + 1
            if any(isinstance(m, dict) and m.get("more_body") for m in got):
                statuses["streamed"] = statuses.get("streamed", 0) + 1
        return differences, skipped, statuses

    try:
        differences, skipped, statuses = asyncio.run(compare())
    finally:
        fast.state.store.close()
        ref.state.store.close()
    assert differences == []
    assert skipped == []  # else the comparison above proved nothing about the fast path
    # Not only errors were compared: reads, writes and deletes succeeded, and the odd paths met
    # Starlette's 404s, 405s and trailing-slash redirects; streamed replies were compared chunk by chunk.
    expected = {200, 307, 400, 401, 404, 405, 406, "streamed"} | ({403} if label > "2022-05" else set())
    assert expected <= set(statuses), statuses
    assert dump(tmp_path / "fast.sqlite3") == dump(tmp_path / "ref.sqlite3")


def list_queues_both_ways(app) -> tuple[list, list]:
    """GET /v1/queues through the app (the fast way), then through Starlette's own way; the app is closed."""

    async def bypass(scope, receive, send):
        await Starlette.__call__(app, scope, receive, send)

    async def both() -> tuple[list, list]:
        return await drive(app, Exchange("GET", "/v1/queues")), await drive(bypass, Exchange("GET", "/v1/queues"))

    try:
        return asyncio.run(both())
    finally:
        app.state.store.close()


def test_a_handler_that_fails_answers_500_and_raises_on_both_paths(tmp_path, monkeypatch):
    """A bug in a handler: the same 500 JSON reply as Starlette's ServerErrorMiddleware sends, and the
    exception still reaches the server (uvicorn logs it)."""

    async def broken(call):
        raise RuntimeError("a bug in list_queues")

    monkeypatch.setattr(handlers, "list_queues", broken)  # endpoints() reads it when the app is made
    app = create_app(tmp_path / "emu.sqlite3", require_key=True, api_key=ROOT_KEY)
    starlette = app.middleware_stack = Counting(app.build_middleware_stack())
    fast, slow = list_queues_both_ways(app)
    assert starlette.calls == 1  # the bypass only: the first went the fast way
    assert fast == slow
    start, body, raised = fast
    assert (start["status"], dict(start["headers"])[b"content-type"]) == (500, b"application/json")
    assert body["body"] == b'{"title":"Internal Server Error","status":500}'
    assert raised == ("raised", "RuntimeError", "a bug in list_queues")


def test_an_http_exception_in_a_handler_is_answered_without_raising_on_both_paths(tmp_path, monkeypatch):
    """Starlette answers its HTTPException with the app's handler and logs nothing: so does the fast path."""
    from starlette.exceptions import HTTPException

    async def refused(call):
        raise HTTPException(418)

    monkeypatch.setattr(handlers, "list_queues", refused)
    fast, slow = list_queues_both_ways(create_app(tmp_path / "emu.sqlite3", require_key=True, api_key=ROOT_KEY))
    assert fast == slow
    start, body, *rest = fast
    assert (start["status"], body["body"], rest) == (418, b'{"title":"I\'m a Teapot","status":418}', [])


def test_the_table_keeps_no_long_paths_in_memory(tmp_path):
    """Its memo of paths is for real ones (a batch posts to one path thousands of times): paths of
    any length from anyone (no key needed to send them) must not grow the server by hundreds of MiB."""
    app = create_app(tmp_path / "emu.sqlite3", require_key=True, api_key=ROOT_KEY)
    try:
        table = app.table
        assert table.find("/v1/queues/" + "q" * 21 + "/messages", "POST") is not None
        assert len(table.seen) == 1
        for i in range(50):
            long_id = f"{i}" + "x" * 60_000
            assert table.find(f"/v1/queues/{long_id}/messages", "POST")[1] == {"queue_id": long_id}
            assert table.find(f"/{long_id}", "GET") is None
        assert len(table.seen) == 1
    finally:
        app.state.store.close()
