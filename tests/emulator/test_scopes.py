"""API-key scopes: stored and returned in each generation's shape, enforced on every request (403)."""

from __future__ import annotations

import pytest

from tests.emulator.stored import key_id_of

FORBIDDEN_WRITE = {
    "title": "Forbidden",
    "status": 403,
    "detail": "this API key has no write scope on queues for this target",
}


def read_only_key(client, gen: str) -> dict:
    """Create, through the API, a key that may only read queues."""
    if gen == "2024-08":
        r = client.post("/api_keys", json={"alias": "reader", "scopes": {"queues": {"access": "read"}}})
        assert r.status_code == 200
        key = r.json()["api_key"]
        return {"id": key["id"], "secret": key["key"]}
    r = client.post("/api_keys", json={"name": "reader", "scopes": [{"resource": "queues", "access": "read"}]})
    assert r.status_code == 200
    return {"id": key_id_of(r), "secret": r.json()["api_key"]}


@pytest.mark.parametrize("gen", ["2023-04", "2024-08"])
def test_a_read_only_key_reads_and_gets_403_on_writes_and_other_resources(api, gen):
    root = api(gen)
    key = read_only_key(root, gen)
    name = "alias" if gen == "2024-08" else "name"
    queue_id = root.post("/queues", json={name: "q"}).json()["queue"]["id"]
    reader = api(gen, key["secret"])
    assert reader.get("/queues").status_code == 200
    assert reader.get(f"/queues/{queue_id}").status_code == 200
    r = reader.post("/queues", json={name: "mine"})
    assert (r.status_code, r.json()) == (403, FORBIDDEN_WRITE)
    assert reader.delete(f"/queues/{queue_id}").status_code == 403
    r = reader.get("/messages")
    assert (r.status_code, r.json()) == (
        403,
        {"title": "Forbidden", "status": 403, "detail": "this API key has no read scope on messages for this target"},
    )
    assert reader.get("/api_keys").status_code == 403  # keys with scopes never reach api_keys
    assert root.get(f"/queues/{queue_id}").status_code == 200


def test_scopes_read_back_in_each_shape(api):
    old, new = api("2023-04"), api("2024-08")
    r = old.post(
        "/api_keys",
        json={"scopes": [{"resource": "messages", "access": "read", "targets": "*"}, {"resource": "queues"}]},
    )
    key_id = key_id_of(r)
    assert old.get(f"/api_keys/{key_id}").json()["api_key"]["scopes"] == [
        {"resource": "messages", "access": "read", "targets": ["*"]},
        {"resource": "queues", "access": "write", "targets": ["*"]},
    ]
    assert new.get(f"/api_keys/{key_id}").json()["api_key"]["scopes"] == {
        "messages": {"access": "read", "targets": ["*"]},
        "queues": {"access": "write", "targets": ["*"]},
    }


def test_targets_limit_a_scope_to_the_ids_in_the_path(api):
    root = api("2023-04")
    mine = root.post("/queues", json={"name": "mine"}).json()["queue"]["id"]
    other = root.post("/queues", json={"name": "other"}).json()["queue"]["id"]
    scopes = [{"resource": "queues", "access": "write", "targets": [mine]}, {"resource": "messages", "targets": [mine]}]
    secret = root.post("/api_keys", json={"scopes": scopes}).json()["api_key"]
    key = api("2023-04", secret)
    assert key.put(f"/queues/{mine}", json={"name": "mine2"}).status_code == 200
    assert key.post(f"/queues/{mine}/messages", json={"data": "x"}).status_code == 200
    assert key.put(f"/queues/{other}", json={"name": "x"}).status_code == 403
    assert key.post(f"/queues/{other}/messages", json={"data": "x"}).status_code == 403
    assert key.get("/queues").status_code == 403  # a listing of every queue needs "*"


def test_scopes_are_enforced_in_2022_05_too_and_keys_without_scopes_are_permissive(api):
    secret = api("2023-04").post("/api_keys", json={"scopes": [{"resource": "queues", "access": "read"}]}).json()
    old = api("2022-05", secret["api_key"])
    assert old.get("/queues").status_code == 200
    assert old.post("/queues", json={"name": "q"}).json() == {"title": "Forbidden", "status": 403}
    plain = api("2022-05").post("/api_keys", json={"name": "plain"}).json()["api_key"]
    assert api("2023-04", plain).post("/api_keys", json={}).status_code == 200
    assert api("2023-04", plain).get("/stats/messages").status_code == 200


def test_a_key_without_scopes_shows_the_permissive_default(api):
    client = api("2023-04")
    key_id = key_id_of(client.post("/api_keys", json={}))
    shown = client.get(f"/api_keys/{key_id}").json()["api_key"]["scopes"]
    assert shown == [
        {"resource": r, "access": "write", "targets": ["*"]}
        for r in ("events", "queues", "listeners", "messages", "schemas", "stats")
    ]


@pytest.mark.parametrize(
    ("gen", "scopes", "title"),
    [
        ("2023-04", [{"resource": "api_keys"}], "scopes[0]: scopes on api_keys cannot be set through the API"),
        ("2023-04", [{"resource": "domains"}], "scopes[0]: expected a resource among api_clients, api_keys, events,"),
        ("2023-04", [{"resource": "queues", "access": "all"}], "scopes[0].access: expected read or write"),
        ("2023-04", [{"resource": "queues", "targets": []}], 'scopes[0].targets: expected "*" or a list of ids'),
        ("2023-04", [{"resource": "queues"}, {"resource": "queues"}], "scopes[1]: queues has a scope already"),
        ("2023-04", {"queues": {}}, "scopes: expected a list of {resource, access, targets}"),
        ("2024-08", [{"resource": "queues"}], "scopes: expected an object keyed by resource"),
        ("2024-08", {"subscriptions": {}}, "scopes.subscriptions: scopes on subscriptions cannot be set through"),
    ],
)
def test_malformed_scopes_are_400(api, gen, scopes, title):
    r = api(gen).post("/api_keys", json={"scopes": scopes})
    assert r.status_code == 400 and r.json()["detail"].startswith(title), r.json()


def test_put_replaces_the_scopes_whole(api):
    client = api("2024-08")
    key = client.post("/api_keys", json={"scopes": {"queues": {}, "domains": {"access": "read"}}}).json()["api_key"]
    r = client.put(f"/api_keys/{key['id']}", json={"scopes": {"stats": {"access": "read"}}})
    assert r.json()["api_key"]["scopes"] == {"stats": {"access": "read", "targets": ["*"]}}
    assert api("2024-08", key["key"]).get("/queues").status_code == 403
    assert api("2024-08", key["key"]).get("/stats/messages").status_code == 200
