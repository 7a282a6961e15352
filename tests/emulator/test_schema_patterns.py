"""A schema's `pattern` cannot freeze the local discue: a message's patterns get a bounded time, all together.

Python's `re` backtracks without limit and holds the GIL meanwhile: `(a+)+$` against 39 a's and a `!` ran
for ages in the server (or in a `--local` CLI), which then answered nothing and no signal. The tests that
send such a message do it to a subprocess with a deadline, so that a regression fails instead of hanging.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from discue_cli.emulator.schema import COMPILE_SECONDS, MAX_PATTERN, PATTERN_SECONDS
from tests.emulator.hooks import reap, serve, stop

EVIL = json.dumps({"a": "a" * 39 + "!"})
SLOW = f"data.a: the pattern (a|aa)+$ took too long to match (over {PATTERN_SECONDS:g} seconds)"
CASES = [
    ("(a+)+$", "data.a: does not match the pattern (a+)+$"),  # the reported one: a plain no-match now
    ("(a|aa)+$", SLOW),  # exponential still: the time limit answers
]


@pytest.fixture(autouse=True)
def _reap_servers():
    yield
    reap()


def schema_of(pattern: str, array: bool = False) -> dict:
    rule = {"type": "string", "pattern": pattern}
    return {"a": {"type": "array", "items": rule} if array else rule}


def test_served_emulator_answers_backtracking_patterns_in_bounded_time_and_stops_on_sigterm(tmp_path):
    server = serve(tmp_path / "p.sqlite3", "--no-deliver")
    with httpx.Client(base_url=server.endpoint, headers={"X-API-KEY": server.key}, timeout=5) as client:
        for pattern, title in CASES:
            r = client.post("/queues", json={"name": f"q{len(title)}", "schema": schema_of(pattern)})
            queue_id = r.json()["queue"]["id"]
            started = time.monotonic()
            r = client.post(f"/queues/{queue_id}/messages", json={"data": EVIL})
            assert (r.status_code, r.json()) == (422, {"title": "Unprocessable Entity", "status": 422, "detail": title})
            assert time.monotonic() - started < 8  # unbounded before; 3 s failed once at load average 17 on 2 cores
            assert client.get(f"/queues/{queue_id}/messages").json()["messages"] == []
            assert client.post(f"/queues/{queue_id}/messages", json={"data": '{"a": "aaaa"}'}).status_code == 200
    code, _, stdout, stderr = stop(server.process, signal.SIGTERM, within=8)
    assert (code, stdout) == (0, "# API generation: 2023-04\n")  # the line after the exports
    assert stderr.splitlines()[1:] == ["Stopped."]  # after the "local discue on ..." line


def test_local_cli_answers_a_slow_pattern_with_its_error(local):
    schema = json.dumps(schema_of("(a|aa)+$"))
    assert local("--api-version", "2023-04", "queues", "create", "schq", "--schema", schema, "-q").exit_code == 0
    args = [sys.executable, "-m", "discue_cli", "--local", "--api-version", "2023-04", "messages", "add", "schq", EVIL]
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ) as cli:
        try:
            stdout, stderr = cli.communicate(timeout=8)
        except subprocess.TimeoutExpired:
            cli.kill()
            cli.communicate()
            raise AssertionError("discue --local hung on the pattern") from None
    assert (cli.returncode, stdout, stderr) == (5, "", f"Error: {SLOW} (422)\n")


def test_the_time_limit_is_for_all_the_patterns_of_a_message(api):
    """Fifty strings that match after some 0.05 s each: refused once the limit is spent, not after 2.5 s."""
    client = api("2023-04")
    queue_id = client.post("/queues", json={"name": "q", "schema": schema_of("(a|aa)+$|b", array=True)}).json()
    data = json.dumps({"a": ["a" * 24 + "!b"] * 50})
    started = time.monotonic()
    r = client.post(f"/queues/{queue_id['queue']['id']}/messages", json={"data": data})
    took = time.monotonic() - started
    assert r.status_code == 422
    slow = SLOW.replace("(a|aa)+$", "(a|aa)+$|b").removeprefix("data.a: ")
    assert re.fullmatch(r"data\.a\[\d+\]: " + re.escape(slow), r.json()["detail"])
    assert took < 1.5


@pytest.mark.parametrize("pattern", ["(", "[a-", "a{2,1}", "\\"])
def test_a_pattern_that_does_not_compile_is_400_at_create_and_update(api, pattern):
    client = api("2023-04")
    title = "schema.a.pattern: not a regular expression ("
    r = client.post("/queues", json={"name": "q", "schema": schema_of(pattern)})
    assert r.status_code == 400 and r.json()["detail"].startswith(title), r.text
    queue_id = client.post("/queues", json={"name": "q"}).json()["queue"]["id"]
    r = client.put(f"/queues/{queue_id}", json={"schema": schema_of(pattern)})
    assert r.status_code == 400 and r.json()["detail"].startswith(title), r.text


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("(" * 5000 + "a" + ")" * 5000, f"longer than {MAX_PATTERN} characters"),  # was a 500 (RecursionError)
        ("(" * 490 + "a" + ")" * 490, "not a regular expression (nested too deeply)"),  # under the cap: still 400
        ("a" * (MAX_PATTERN + 1), f"longer than {MAX_PATTERN} characters"),  # a ~1 MiB one froze the server 9.3 s
    ],
)
def test_a_pattern_too_long_or_nested_too_deeply_is_400_at_create_and_update(api, pattern, why):
    client = api("2023-04")
    expected = {"title": "Bad Request", "status": 400, "detail": f"schema.a.items.pattern: {why}"}
    r = client.post("/queues", json={"name": "q", "schema": schema_of(pattern, array=True)})
    assert (r.status_code, r.json()) == (400, expected)
    queue_id = client.post("/queues", json={"name": "q"}).json()["queue"]["id"]
    r = client.put(f"/queues/{queue_id}", json={"schema": schema_of(pattern, array=True)})
    assert (r.status_code, r.json()) == (400, expected)


def test_a_pattern_at_the_cap_is_taken(api):
    client = api("2023-04")
    r = client.post("/queues", json={"name": "q", "schema": schema_of("a" * MAX_PATTERN)})
    assert r.status_code == 200, r.text


def test_patterns_compile_off_the_event_loop_within_a_time_limit(db, monkeypatch):
    """A compile that never ends is answered 400 after COMPILE_SECONDS; other requests go on meanwhile."""
    import regex

    from discue_cli.emulator.app import create_app
    from tests.emulator.serving import ROOT_KEY

    release, compiling = threading.Event(), threading.Event()
    real_compile = regex.compile

    def stuck(pattern, *args, **kwargs):
        if pattern == "stuck":
            compiling.set()
            release.wait(20)
        return real_compile(pattern, *args, **kwargs)

    monkeypatch.setattr(regex, "compile", stuck)
    app = create_app(db, require_key=True, api_key=ROOT_KEY, generation="2023-04")

    async def scenario() -> tuple[httpx.Response, float, httpx.Response, float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://l/v1", headers={"X-API-KEY": ROOT_KEY}) as c:
            started = time.monotonic()
            create = asyncio.create_task(c.post("/queues", json={"name": "q", "schema": schema_of("stuck")}))
            while not compiling.is_set():
                assert time.monotonic() - started < 5
                await asyncio.sleep(0.01)
            other = await c.get("/queues")  # answered while the pattern compiles
            other_took = time.monotonic() - started
            created = await create
            return other, other_took, created, time.monotonic() - started

    try:
        other, other_took, created, took = asyncio.run(scenario())
    finally:
        release.set()
        app.state.store.close()
    assert other.status_code == 200 and other_took < COMPILE_SECONDS
    title = f"schema: its patterns took too long to compile (over {COMPILE_SECONDS:g} seconds)"
    assert (created.status_code, created.json()) == (400, {"title": "Bad Request", "status": 400, "detail": title})
    assert COMPILE_SECONDS <= took < COMPILE_SECONDS + 3


def test_json_nested_thousands_deep_is_400_not_500(api):
    client = api("2023-04")
    deep = "[" * 100_000 + "]" * 100_000
    r = client.post(
        "/queues", content=f'{{"name": "q", "schema": {deep}}}', headers={"content-type": "application/json"}
    )
    assert (r.status_code, r.json()) == (
        400,
        {"title": "Bad Request", "status": 400, "detail": "the body is nested too deeply"},
    )
    queue_id = client.post("/queues", json={"name": "q", "schema": schema_of("a")}).json()["queue"]["id"]
    r = client.post(f"/queues/{queue_id}/messages", json={"data": deep})
    title = "data: expected JSON text (the queue has a schema)"
    assert (r.status_code, r.json()) == (422, {"title": "Unprocessable Entity", "status": 422, "detail": title})
