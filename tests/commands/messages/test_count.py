"""`discue messages count`: a bare number, streamed in bounded memory."""

from __future__ import annotations

import json
import subprocess

import httpx

from tests.commands.messages.streaming import QUEUE_ID, measured


def test_count_of_100000_messages_prints_the_number_within_120_mib(listing):
    api = listing(100_000)
    code, seconds, peak, stderr = measured(["messages", "count", QUEUE_ID], api.env, subprocess.PIPE)
    assert (code, stderr) == (0, "")
    assert peak < 120, f"{peak:.0f} MiB"
    assert seconds < 10, f"{seconds:.1f} s of CPU"
    assert api.requests == [f"/v1/queues/{QUEUE_ID}/messages"]  # the plain listing: no _embed, nothing else


def test_count_prints_a_bare_number_piped_and_an_object_with_json(remote, served):
    api = httpx.Client(base_url=served.endpoint, headers={"X-API-KEY": served.key}, timeout=10)
    queue_id = api.post("/queues", json={"name": "orders"}).json()["queue"]["id"]
    api.post("/queues", json={"name": "empty"})
    for data in ("one", "two", "three"):
        api.post(f"/queues/{queue_id}/messages", json={"data": data})
    result = remote("messages", "count", "orders")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "3\n", "")
    result = remote("messages", "count", "orders", "--json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, {"queue_id": queue_id, "count": 3})
    assert remote("messages", "count", "orders", "--jq", ".count").stdout == "3\n"
    assert remote("messages", "count", "empty").stdout == "0\n"


def test_count_of_an_unknown_queue_exits_4(remote):
    result = remote("messages", "count", "nope")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr.startswith("Error: no queue named 'nope'")


def test_count_under_2022_05_lists_briefs_without_embed(cli, httpmock):
    queue_id = "180994c0-b6b2-4d0e-b7ad-414716e83386"
    briefs = [{"id": f"7c1a4e2f-0000-4000-8000-00000000000{n}", "name": None} for n in range(3)]
    httpmock.register("GET", f"/v1/queues/{queue_id}/messages", {"messages": briefs, "_links": {}})
    result = cli("--api-key", "k" * 20, "--api-version", "2022-05", "messages", "count", queue_id)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "3\n", "")
    assert [str(r.url.query, "ascii") for r in httpmock.requests] == [""]
