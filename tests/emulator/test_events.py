"""Usage events and message stats: every write, and every delivery attempt, counted exactly."""

from __future__ import annotations

from discue_cli.emulator.store import COUNTERS
from tests.emulator.stored import key_id_of


def known_sequence(client) -> dict:
    """2 queues (1 renamed, 1 deleted), 1 listener added and updated, 3 messages (1 refused by the
    schema), 1 API key added, updated and deleted."""
    q1 = client.post("/queues", json={"name": "q1", "schema": {"n": {"type": "number"}}}).json()["queue"]["id"]
    q2 = client.post("/queues", json={"name": "q2"}).json()["queue"]["id"]
    client.put(f"/queues/{q1}", json={"name": "q1b"})
    listener = client.post(
        f"/queues/{q1}/listeners", json={"name": "l", "notify_url": "http://x/n", "liveness_url": "http://x/l"}
    ).json()["listener"]["id"]
    client.put(f"/queues/{q1}/listeners/{listener}", json={"notify_url": "http://x/m"})
    m1 = client.post(f"/queues/{q1}/messages", json={"data": '{"n": 1}', "name": "first"}).json()["message"]["id"]
    client.post(f"/queues/{q1}/messages", json={"data": '{"n": 2}'})
    assert client.post(f"/queues/{q1}/messages", json={"data": '{"n": "x"}'}).status_code == 422
    key = key_id_of(client.post("/api_keys", json={"name": "k"}))
    client.put(f"/api_keys/{key}", json={"status": "disabled"})
    client.delete(f"/api_keys/{key}")
    client.delete(f"/queues/{q2}")
    return {"q1": q1, "q2": q2, "listener": listener, "m1": m1, "key": key}


def test_stats_count_each_window_exactly(api, db):
    client = api("2023-04")
    ids = known_sequence(client)
    store = client.app.state.store
    store.record_attempt(ids["m1"], ids["listener"], 500, acked=False, next_at=1)
    store.record_attempt(ids["m1"], ids["listener"], 200, acked=True, next_at=None)
    store.record_attempt(ids["m1"], ids["listener"], 200, acked=True, next_at=None)  # no longer pending: no event
    expected = dict.fromkeys(COUNTERS, 0) | {
        "api_key_added": 1,
        "api_key_updated": 1,
        "api_key_deleted": 1,
        "queue_added": 2,
        "queue_updated": 1,
        "queue_deleted": 1,
        "listener_added": 1,
        "listener_updated": 1,
        "message_added": 2,
        "message_published_ok": 1,
        "message_published_not_ok": 1,
    }
    r = client.get("/stats/messages")
    assert r.status_code == 200
    assert r.json() == {
        "aggregated_api_usage_events": {"last_24_hours": expected, "last_1_hours": expected, "today_so_far": expected},
        "_links": {"self": {"href": "http://local/v1/stats/messages"}},
    }


def test_events_list_filter_and_page(api):
    client = api("2023-04")
    ids = known_sequence(client)
    events = client.get("/events").json()["events"]
    assert [e["type"] for e in events] == [
        "queue_added",
        "queue_added",
        "queue_updated",
        "listener_added",
        "listener_updated",
        "message_added",
        "message_added",
        "api_key_added",
        "api_key_updated",
        "api_key_deleted",
        "queue_deleted",
    ]
    client_id = events[0]["client"]["id"]
    assert len(client_id) == 21 and {e["client"]["id"] for e in events} == {client_id}
    first_message = events[5]
    assert first_message == {
        "id": first_message["id"],
        "type": "message_added",
        "stored_at": first_message["stored_at"],
        "client": {"id": client_id},
        "queue": {"id": ids["q1"], "name": "q1b"},
        "message": {"id": ids["m1"], "name": "first"},
    }
    queues = client.get("/events", params={"events": "queues"}).json()["events"]
    assert [e["type"] for e in queues] == ["queue_added", "queue_added", "queue_updated", "queue_deleted"]
    page = client.get("/events", params={"limit": 2, "startAfterId": events[2]["id"]}).json()["events"]
    assert [e["id"] for e in page] == [events[3]["id"], events[4]["id"]]
    r = client.get("/events", params={"startAfterId": "nope"})
    assert (r.status_code, r.json()["detail"]) == (400, "startAfterId: no event with that id in the last 24 hours")
    for query in ({"events": "domains"}, {"limit": "0"}, {"limit": "x"}):
        assert client.get("/events", params=query).status_code == 400


def test_events_use_alias_in_2024_08_and_count_writes_of_every_generation(api):
    api("2022-05").post("/queues", json={"name": "old"})
    api("2024-08").post("/queues", json={"alias": "new"})
    events = api("2024-08").get("/events").json()["events"]
    assert [e["queue"]["alias"] for e in events] == ["old", "new"]
    assert (
        api("2023-04").get("/stats/messages").json()["aggregated_api_usage_events"]["last_1_hours"]["queue_added"] == 2
    )


def test_2022_05_has_no_events_or_stats(api):
    assert api("2022-05").get("/events").status_code == 404
    assert api("2022-05").get("/stats/messages").status_code == 404
