"""Listings follow further pages when a reply links one (`_links.next`), and take a reply as whole when
it does not: against `emulator serve --page-size`, which pages listings as the API overview plans."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.emulator.hooks import reap, serve, stop
from tests.stubs import ENDPOINT, KEY, Q, expect, queues_reply

URLS = {"notify_url": "http://127.0.0.1:1/n", "liveness_url": "http://127.0.0.1:1/l"}


@pytest.fixture
def paged(tmp_path):
    """A served local discue answering 2 items a page, with 5 queues; the first has 5 messages and
    3 listeners."""
    served = serve(tmp_path / "paged.sqlite3", "--no-deliver", "--page-size", "2")
    headers = {"X-API-KEY": served.key}
    with httpx.Client(base_url=served.endpoint, headers=headers, timeout=30) as client:
        ids = [client.post("/queues", json={"name": f"q{n}"}).json()["queue"]["id"] for n in range(5)]
        messages = [client.post(f"/queues/{ids[0]}/messages", json={"data": f"m{n}"}) for n in range(5)]
        for n in range(3):
            client.post(f"/queues/{ids[0]}/listeners", json={"name": f"l{n}", **URLS})
    served.queue_ids = ids
    served.message_ids = [m.json()["message"]["id"] for m in messages]
    yield served
    assert stop(served.process)[0] == 0
    reap()


def against(cli, served, *args: str):
    result = cli("--api-endpoint", served.endpoint, "--api-key", served.key, *args)
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return result.stdout


def test_a_page_links_the_next_one_and_refuses_more_than_100(paged):
    headers = {"X-API-KEY": paged.key}
    first = httpx.get(paged.endpoint + "/queues", headers=headers).json()
    assert [q["name"] for q in first["queues"]] == ["q0", "q1"]
    assert first["_links"]["next"] == {"href": paged.endpoint + "/queues?page=2&per_page=2"}
    last = httpx.get(paged.endpoint + "/queues", params={"page": 2, "per_page": 3}, headers=headers).json()
    assert ([q["name"] for q in last["queues"]], "next" in last["_links"]) == (["q3", "q4"], False)
    assert "prev" in last["_links"]
    r = httpx.get(paged.endpoint + "/queues", params={"per_page": 101}, headers=headers)
    assert (r.status_code, r.json()) == (
        400,
        {"title": "Bad Request", "status": 400, "detail": "per_page: expected a whole number from 1 to 100"},
    )


def test_listings_follow_every_page(cli, paged):
    first = paged.queue_ids[0]
    assert against(cli, paged, "queues", "list", "-q").splitlines() == paged.queue_ids
    assert against(cli, paged, "messages", "list", "q0", "-q").splitlines() == paged.message_ids
    assert against(cli, paged, "messages", "list", "-q").splitlines() == paged.message_ids
    names = [line.split("\t")[1] for line in against(cli, paged, "listeners", "list", first).splitlines()]
    assert names == ["l0", "l1", "l2"]
    rows = [line.split("\t")[1:3] for line in against(cli, paged, "listeners", "list").splitlines()]
    assert rows == [["l0", "q0"], ["l1", "q0"], ["l2", "q0"]]


def test_json_prints_the_pages_joined_as_one_reply(cli, paged):
    body = json.loads(against(cli, paged, "queues", "list", "--json"))
    assert [q["name"] for q in body["queues"]] == ["q0", "q1", "q2", "q3", "q4"]
    assert "next" not in body["_links"] and set(body["_links"]) == {"self", "q0", "q1", "q2", "q3", "q4"}


def test_export_reads_every_page(cli, paged):
    out = against(cli, paged, "export")
    assert all(f'"q{n}"' in out for n in range(5)), out
    assert all(f'"l{n}"' in out for n in range(3)), out


def test_a_reply_without_a_next_link_is_whole_and_a_link_elsewhere_is_never_followed(cli, httpmock):
    reply = queues_reply("2023-04", (Q, "orders"))
    reply["_links"]["next"] = {"href": "http://elsewhere.test/v1/queues?page=2"}
    expect(httpmock, "GET", "/queues", reply)
    result = cli("--api-endpoint", ENDPOINT, "--api-key", KEY, "--api-version", "2023-04", "queues", "list", "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{Q}\n", "")


def test_a_name_is_found_on_any_page(cli, paged):
    """A name is looked up in the whole listing, every page of it (it read only the first)."""
    assert against(cli, paged, "queues", "get", "q4", "-q") == f"{paged.queue_ids[4]}\n"
    added = against(cli, paged, "messages", "add", "q3", "hello", "-q")
    assert added.strip()
    assert against(cli, paged, "queues", "create", "q4", "--if-not-exists", "-q") == f"{paged.queue_ids[4]}\n"
