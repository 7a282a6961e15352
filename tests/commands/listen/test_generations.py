"""`discue listen` against `emulator serve --api-version GEN` in every generation: the listener is added in the
generation's shape (`alias` in 2024-08), deliveries are printed and forwarded, and a stop removes it."""

from __future__ import annotations

import json
import signal

import httpx
import pytest

from tests.conftest import Served, start_server
from tests.emulator.test_delivery import FAST

GENERATIONS = ["2022-05", "2023-04", "2024-08"]


class Api:
    """The served API in one generation, without the CLI."""

    def __init__(self, served: Served, generation: str):
        self.client = httpx.Client(base_url=served.endpoint, headers={"X-API-KEY": served.key}, timeout=10)
        self.name_key = "alias" if generation == "2024-08" else "name"

    def queue(self, name: str) -> str:
        reply = self.client.post("/queues", json={self.name_key: name})
        assert reply.status_code == 200, reply.text
        return reply.json()["queue"]["id"]

    def message(self, queue_id: str, data: str) -> str:
        return self.client.post(f"/queues/{queue_id}/messages", json={"data": data}).json()["message"]["id"]

    def listeners(self, queue_id: str) -> list[dict]:
        return self.client.get(f"/queues/{queue_id}/listeners").json()["listeners"]


@pytest.fixture(params=GENERATIONS)
def generation(request) -> str:
    return request.param


@pytest.fixture
def delivering(tmp_path, generation):
    server = start_server(tmp_path / "listen.sqlite3", *FAST, "--api-version", generation)
    yield server
    server.stop()


def test_deliveries_are_printed_and_sigterm_removes_the_listener(delivering, running, generation):
    api = Api(delivering, generation)
    queue_id = api.queue("orders")
    listening = running(delivering, "orders", "--name", "laptop")
    assert [item["id"] for item in api.listeners(queue_id)] == [listening.listener_id]
    added = api.client.get(f"/queues/{queue_id}/listeners/{listening.listener_id}").json()["listener"]
    assert added[api.name_key] == "laptop"
    secret = added["notify_url"].removeprefix(listening.base + "/").removesuffix("/notify")
    assert (added["notify_url"], added["liveness_url"]) == (
        f"{listening.base}/{secret}/notify",
        f"{listening.base}/{secret}/live",
    )
    assert len(secret) == 32 and "/" not in secret

    sent = {api.message(queue_id, data): data for data in ("one", "two")}
    printed = [json.loads(listening.next()) for _ in sent]
    assert sorted(printed, key=lambda body: body["message_id"]) == [
        {"message_id": mid, "queue_id": queue_id, "listener_id": listening.listener_id, "data": data, "attempt": 1}
        for mid, data in sorted(sent.items())
    ]
    assert listening.stop(signal.SIGTERM) == 0
    assert listening.rest("stdout") == ""
    assert listening.rest("stderr") == f"Removed listener laptop ({listening.listener_id}).\n"
    assert api.listeners(queue_id) == []


def test_forwarding_answers_with_the_apps_status_and_ctrl_c_removes_the_listener(delivering, running, hook, generation):
    api = Api(delivering, generation)
    queue_id = api.queue("orders")
    hook.script = [503]
    listening = running(delivering, "orders", "--forward-to", hook.url + "/hook")
    message_id = api.message(queue_id, "retry me")
    first, second = json.loads(listening.next()), json.loads(listening.next())
    assert (first["message_id"], first["attempt"], first["_forward"]) == (message_id, 1, {"status": 503})
    assert (second["message_id"], second["attempt"], second["_forward"]) == (message_id, 2, {"status": 200})
    assert [(r["message_id"], r["data"], r["status"]) for r in hook.received] == [
        (message_id, "retry me", 503),
        (message_id, "retry me", 200),
    ]
    assert listening.stop(signal.SIGINT) == 0
    assert listening.rest("stderr") == f"Removed listener {listening.name} ({listening.listener_id}).\n"
    assert api.listeners(queue_id) == []
