"""The polling model of `discue top`: what each refresh asks, and how failures slow and stop it."""

from __future__ import annotations

import asyncio
import json
import os
from urllib.parse import urlsplit

import httpx
import pytest

from discue_cli.api import messages as messages_api
from discue_cli.api.client import Client
from discue_cli.context import Context
from discue_cli.output import Output
from discue_cli.top.model import MAX_BACKOFF, MAX_RATE, OTHERS_PER_REFRESH, Poller, sparkline


def local_client(generation: str | None = None) -> Client:
    return Context({"local": True, "api_version": generation}).client(Output())


def recording(client: Client) -> list[str]:
    """The requests a client sends from now on, as 'METHOD /path' (the query left out)."""
    sent: list[str] = []
    client.on_exchange = lambda method, url, outcome, ms: sent.append(f"{method} {urlsplit(url).path[3:]}")
    return sent


def make_queues(local, *names: str) -> dict[str, str]:
    return {name: local("queues", "create", name, "-q").stdout.strip() for name in names}


def test_each_refresh_reads_the_selected_queue_whole_and_the_rest_on_a_slower_round(local):
    ids = make_queues(local, "orders", "mails")

    async def rounds() -> list[list[str]]:
        async with local_client() as client:
            sent = recording(client)
            poller = Poller(client, "local")
            poller.selected = ids["orders"]
            seen = []
            for _ in range(6):
                sent.clear()
                snap = await poller.refresh()
                assert snap.calls == len(sent) and snap.error is None
                seen.append(list(sent))
            return seen

    seen = asyncio.run(rounds())
    orders, mails = ids["orders"], ids["mails"]
    counts = [f"GET /queues/{orders}/messages", f"GET /queues/{mails}/messages"]
    # the slow round lists every listener at once; the others read the selected queue's
    assert seen[0] == ["GET /queues", "GET /listeners", *counts, "GET /events"]
    assert seen[1:5] == [[counts[0], f"GET /queues/{orders}/listeners", counts[1], "GET /events"]] * 4
    assert seen[5] == seen[0]  # the slower round: queues and every listener again


def test_2022_has_no_events_to_read(local, gen_2022):
    ids = make_queues(local, "orders")

    async def first() -> list[str]:
        async with local_client() as client:
            sent = recording(client)
            await Poller(client, "local").refresh()
            return sent

    assert asyncio.run(first()) == ["GET /queues", "GET /listeners", f"GET /queues/{ids['orders']}/messages"]


def test_many_queues_cost_a_bounded_number_of_calls_and_are_all_counted_in_turn(local):
    ids = make_queues(local, *(f"q{n:02d}" for n in range(10)))
    for name in ids:
        local("messages", "add", name, "{}", "-q")
    budget = 2 + 1 + OTHERS_PER_REFRESH + 1  # slow round (listeners included), selected queue, others, events

    async def rounds() -> tuple[list[int], Poller]:
        async with local_client() as client:
            poller = Poller(client, "local")
            calls = []
            for _ in range(4):
                calls.append((await poller.refresh()).calls)
                if all(q.messages is not None for q in poller.queues.values()):
                    break
            return calls, poller

    calls, poller = asyncio.run(rounds())
    assert max(calls) <= budget
    assert calls == [budget, budget - 1, budget - 1]  # nine others, three a refresh
    assert sorted(q.messages for q in poller.queues.values()) == [1] * 10
    for interval in (0.5, 2.0):
        assert poller.delay(interval) >= poller.last_calls / MAX_RATE  # a few requests a second at most


def answering(*replies: tuple[int, dict] | Exception):
    """A transport that answers each request with the next reply (the last one repeated) and counts them."""
    sent: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url.path}")
        reply = replies[min(len(sent), len(replies)) - 1]
        if isinstance(reply, Exception):
            raise reply
        return httpx.Response(
            reply[0], content=json.dumps(reply[1]).encode(), headers={"content-type": "application/json"}
        )

    return httpx.MockTransport(handle), sent


def remote(transport) -> Client:
    return Client("http://api.test/v1", "k" * 20, transport=transport, retries=0)


UNAUTHORIZED = (401, {"title": "Unauthorized", "status": 401})


def test_a_401_stops_polling_and_says_so_until_retried():
    transport, sent = answering(UNAUTHORIZED)

    async def go():
        async with remote(transport) as client:
            poller = Poller(client, "http://api.test/v1")
            snap = await poller.refresh()
            return poller, snap

    poller, snap = asyncio.run(go())
    assert snap.stopped and sent == ["GET /v1/queues"]
    assert snap.error == "Unauthorized: polling stopped (repeated bad keys lock a user out); r tries again"
    poller.retry()
    assert not poller.stopped


def test_failures_back_off_up_to_a_ceiling_and_a_success_resets_it():
    transport, sent = answering(*[httpx.ConnectError("refused")] * 8, (200, {"queues": [], "listeners": []}))

    async def go():
        async with remote(transport) as client:
            poller = Poller(client, "http://api.test/v1")
            delays, errors = [], []
            for _ in range(8):
                snap = await poller.refresh()
                errors.append(snap.error)
                delays.append(poller.delay(2.0))
            recovered = await poller.refresh()
            assert (recovered.error, recovered.calls, poller.delay(2.0)) == (None, 2, 2.0)
            return delays, errors

    delays, errors = asyncio.run(go())
    assert delays == [4.0, 8.0, 16.0, 32.0, MAX_BACKOFF, MAX_BACKOFF, MAX_BACKOFF, MAX_BACKOFF]
    assert errors == ["could not connect to http://api.test: refused"] * 8
    assert len(sent) == 8 + 2


@pytest.mark.parametrize(
    ("values", "bars"),
    [([], ""), ([0, 0, 0], "▁▁▁"), ([0, 1, 2, 7], "▁▂▃█"), ([5, 5], "██")],
)
def test_sparkline(values, bars):
    assert sparkline(values) == bars


@pytest.mark.parametrize("status", [401, 403])
def test_both_refusals_stop_polling(status):
    transport, sent = answering((status, {"title": "Forbidden" if status == 403 else "Unauthorized", "status": status}))

    async def go():
        async with remote(transport) as client:
            return await Poller(client, "http://api.test/v1").refresh()

    snap = asyncio.run(go())
    assert (snap.stopped, len(sent)) == (True, 1)


def test_2022_lists_the_changes_the_view_saw(local, gen_2022):
    from tests.commands.top.test_top import make_orgs

    orders, _, listener = make_orgs(local)

    async def go() -> list[str]:
        async with local_client() as client:
            poller = Poller(client, "local")
            await poller.refresh()
            await messages_api.add_message(client, orders, "{}")
            from discue_cli.emulator.store import Store

            store = Store(os.environ["DISCUE_LOCAL_DB"])
            store.record_liveness(listener, True, 200, None)
            store.close()
            snap = await poller.refresh()
            return [e["text"] for e in snap.events]

    assert asyncio.run(go()) == ["orders: 2 → 3 messages", "listener mailer of orders: recovered"]


def test_a_queue_asked_for_that_does_not_exist_is_not_found(local):
    make_queues(local, "orders")
    result = local("top", "--once", "orders", "nosuch")
    assert (result.exit_code, result.stdout, result.stderr) == (4, "", "Error: no queue 'nosuch'\n")


def test_a_burst_of_added_messages_is_counted_whole_in_little_memory():
    from discue_cli.top.model import QueueView

    view = QueueView("q1", "orders")
    start = 1_000_000.0
    for n in range(10_000):  # 10,000 messages in 100 seconds
        view.note_added(start + n / 100, 1)
    now = start + 100
    assert len(view.added) == 100  # one entry a second
    assert view.added_in(now - 60, now + 1) == 6_000
    assert view.history(now + 1) == [0] * 6 + [1_100, 3_000, 3_000, 2_900]  # 30 s a bar, the last one now
    view.note_added(now + 3600, 1)  # an hour later: the old seconds are gone
    assert list(view.added) == [(now + 3600, 1)]
