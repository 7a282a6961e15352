"""One database, three generations: names and aliases, id shapes, list shapes, domains, and the rules
every generation shares (duplicate listener names, listener URLs)."""

from __future__ import annotations

import re

import pytest

from discue_cli.emulator.app import create_app
from tests.conftest import UUID

SHORT_ID = re.compile(r"^[A-Za-z0-9_-]{21}$")
URLS = {"notify_url": "http://127.0.0.1:1/n", "liveness_url": "http://127.0.0.1:1/l"}


def test_a_queue_made_with_alias_reads_as_name_and_back(api):
    new, now, old = api("2024-08"), api("2023-04"), api("2022-05")
    queue = new.post("/queues", json={"alias": "made-in-2024"}).json()["queue"]
    assert SHORT_ID.match(queue["id"])
    assert queue == {"id": queue["id"], "alias": "made-in-2024", "schema": None}
    assert now.get(f"/queues/{queue['id']}").json()["queue"] == {
        "id": queue["id"],
        "name": "made-in-2024",
        "schema": None,
    }
    assert old.get(f"/queues/{queue['id']}").json()["queue"] == {
        "id": queue["id"],
        "name": "made-in-2024",
        "listeners": [],
    }
    old_id = old.post("/queues", json={"name": "made-in-2022"}).json()["queue"]["id"]
    assert UUID.fullmatch(old_id)
    assert new.get("/queues").json()["queues"] == [
        {"id": queue["id"], "alias": "made-in-2024"},
        {"id": old_id, "alias": "made-in-2022"},
    ]
    r = new.put(f"/queues/{old_id}", json={"alias": "renamed"})
    assert r.json()["queue"]["alias"] == "renamed"
    assert old.get(f"/queues/{old_id}").json()["queue"]["name"] == "renamed"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/queues", {"name": "q"}),
        ("/api_keys", {"name": "k"}),
        ("/domains", {"name": "d", "alias": "d", "hostname": "example.com"}),
    ],
)
def test_name_is_refused_in_2024_08(api, path, body):
    r = api("2024-08").post(path, json=body)
    assert (r.status_code, r.json()) == (
        400,
        {"title": "Bad Request", "status": 400, "detail": "name: this API generation (2024-08) calls it alias"},
    )


def test_lists_hold_whole_objects_from_2023_04_and_briefs_in_2022_05(api):
    now = api("2023-04")
    queue_id = now.post("/queues", json={"name": "q"}).json()["queue"]["id"]
    added = now.post(f"/queues/{queue_id}/listeners", json={"name": "l", **URLS}).json()["listener"]
    assert added == {"id": added["id"], "name": "l"}  # the docs' reply to adding a listener
    listener = now.get(f"/queues/{queue_id}/listeners/{added['id']}").json()["listener"]
    assert listener == {
        "id": added["id"],
        "name": "l",
        **URLS,
        "liveness": {"state": "unknown", "success_count": 0, "failure_count": 0},
        "messages": {"acknowledged_count": 0, "missed": [], "missed_count": 0},
    }
    assert now.get("/listeners").json()["listeners"] == [listener]
    assert "_embedded" not in now.get("/listeners", params={"_embed": "true"}).json()
    old = api("2022-05").get("/listeners", params={"_embed": "true"}).json()
    assert old["listeners"] == [{"id": listener["id"], "name": "l"}]
    assert "last_failure_msg" not in old["_embedded"]["listeners"][0]["liveness"]  # none yet: not null
    new = api("2024-08").get(f"/queues/{queue_id}/listeners").json()["listeners"]
    assert [(item["alias"], item["status"]) for item in new] == [("l", "enabled")]


def test_api_keys_and_clients_per_generation(api):
    new = api("2024-08")
    r = new.post("/api_keys", json={"alias": "ci", "status": "disabled"})
    key = r.json()["api_key"]
    assert r.status_code == 200 and SHORT_ID.match(key["id"]) and len(key["key"]) == 64
    assert {k: key[k] for k in ("alias", "status")} == {"alias": "ci", "status": "disabled"}
    assert "last_used_at" not in key  # never used: no time to show
    assert new.get(f"/api_keys/{key['id']}").json()["api_key"]["key"] == key["key"][:3]
    assert api("2022-05").get(f"/api_keys/{key['id']}").json()["api_key"]["name"] == "ci"
    r = api("2023-04").post("/api_clients")
    client = r.json()["api_client"]
    assert (r.status_code, r.json()) == (
        200,
        {
            "api_client": {"id": client["id"], "name": None},
            "_links": {"self": {"href": f"http://local/v1/api_clients/{client['id']}"}},
        },
    )
    r = api("2023-04").put(f"/api_clients/{client['id']}", json={"name": "example.com/dev"})
    assert r.json()["api_client"] == {"id": client["id"], "name": "example.com/dev"}
    # the docs' own example body: its `id` is another than the path's; the path names the client
    docs_example = {"id": "5bc2be68-7498-4853-aa64-4be0ca62934e", "name": "example.com/prod"}
    r = api("2023-04").put(f"/api_clients/{client['id']}", json=docs_example)
    assert (r.status_code, r.json()["api_client"]) == (200, {"id": client["id"], "name": "example.com/prod"})
    assert api("2023-04").put("/api_clients/nope", json={"name": "x"}).status_code == 404
    assert api("2022-05").post("/api_clients", json={"name": "x"}).status_code == 204


@pytest.mark.parametrize(("gen", "body"), [("2022-05", b""), ("2023-04", b""), ("2024-08", b'{"_links":{}}')])
def test_delete_replies(api, gen, body):
    client = api(gen)
    name = "alias" if gen == "2024-08" else "name"
    queue_id = client.post("/queues", json={name: "q"}).json()["queue"]["id"]
    r = client.delete(f"/queues/{queue_id}")
    assert (r.status_code, r.content) == (200, body)


def test_domains_crud(api):
    client = api("2024-08")
    r = client.post("/domains", json={"alias": "site", "hostname": "Example.COM", "port": 8443})
    assert r.status_code == 200
    domain = r.json()["domain"]
    challenge = domain["challenge"]["https"]
    assert SHORT_ID.match(domain["id"])
    assert domain == {
        "id": domain["id"],
        "alias": "site",
        "hostname": "example.com",
        "port": 8443,
        "challenge": {"https": challenge},
        "verification": {"verified": False, "verified_at": None},
    }
    assert set(challenge) == {"file_content", "file_name", "context_path", "created_at", "expires_at"}
    assert challenge["expires_at"] > challenge["created_at"]
    assert client.get(f"/domains/{domain['id']}").json()["domain"] == domain
    assert client.get("/domains").json()["domains"] == [domain]
    renamed = client.put(f"/domains/{domain['id']}", json={"alias": "site2"}).json()["domain"]
    assert renamed == {**domain, "alias": "site2"}  # same host and port: same challenge
    moved = client.put(f"/domains/{domain['id']}", json={"port": 443}).json()["domain"]
    assert moved["port"] == 443 and moved["challenge"]["https"]["file_content"] != challenge["file_content"]
    assert client.post("/domains", json={"alias": "site2", "hostname": "b.example.com"}).status_code == 422
    r = client.delete(f"/domains/{domain['id']}")
    assert (r.status_code, r.json()) == (200, {"_links": {}})
    assert client.get(f"/domains/{domain['id']}").status_code == 404
    assert api("2023-04").get("/domains").status_code == 404


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ({"alias": "d", "hostname": "localhost"}, "hostname: expected a host name such as example.com"),
        ({"alias": "d", "hostname": "-a.example.com"}, "hostname: expected a host name such as example.com"),
        ({"alias": "d", "hostname": "10.0.0.1"}, "hostname: expected a host name such as example.com"),
        ({"alias": "d", "hostname": "example.com", "port": 8080.5}, "port: expected 80, 443 or a number from 1024"),
        ({"alias": "d", "hostname": "example.com", "port": 1023}, "port: expected 80, 443 or a number from 1024"),
        ({"alias": "d", "hostname": "example.com", "port": 65536}, "port: expected 80, 443 or a number from 1024"),
        ({"alias": "d"}, "hostname: required"),
    ],
)
def test_domain_fields_are_checked(api, body, title):
    r = api("2024-08").post("/domains", json=body)
    assert r.status_code == 400 and r.json()["detail"].startswith(title), r.json()


@pytest.mark.parametrize("gen", ["2022-05", "2023-04", "2024-08"])
def test_duplicate_listener_name_in_a_queue_is_422(api, gen):
    client = api(gen)
    name = "alias" if gen == "2024-08" else "name"
    queue_id = client.post("/queues", json={name: "q"}).json()["queue"]["id"]
    other_queue = client.post("/queues", json={name: "q2"}).json()["queue"]["id"]
    first = client.post(f"/queues/{queue_id}/listeners", json={name: "l", **URLS}).json()["listener"]["id"]
    r = client.post(f"/queues/{queue_id}/listeners", json={name: "l", **URLS})
    expected = {"title": "Unprocessable Entity", "status": 422}
    if gen != "2022-05":  # 2022-05 answers as its docs show, with no reason
        expected["detail"] = f"{name}: this queue has a listener with that {name} exists already"
    assert (r.status_code, r.json()) == (422, expected)
    assert client.post(f"/queues/{other_queue}/listeners", json={name: "l", **URLS}).status_code == 200
    second = client.post(f"/queues/{queue_id}/listeners", json={name: "m", **URLS}).json()["listener"]["id"]
    assert client.put(f"/queues/{queue_id}/listeners/{second}", json={name: "l"}).status_code == 422
    assert client.put(f"/queues/{queue_id}/listeners/{first}", json={name: "l"}).status_code == 200


BAD_URLS = [
    "http://127.0.0.1:80x/hook",
    "http://h:99999/x",
    "http://h:0/x",
    "http:///x",
    "ftp://h/x",
    "mailto:me@example.com",
    "http://h x/",
    "not a url",
]


@pytest.mark.parametrize("gen", ["2022-05", "2023-04", "2024-08"])
@pytest.mark.parametrize("field", ["notify_url", "liveness_url"])
def test_urls_httpx_cannot_send_to_are_400(api, gen, field):
    client = api(gen)
    name = "alias" if gen == "2024-08" else "name"
    queue_id = client.post("/queues", json={name: "q"}).json()["queue"]["id"]
    listener_id = client.post(f"/queues/{queue_id}/listeners", json={name: "ok", **URLS}).json()["listener"]["id"]
    expected = {"title": "Bad Request", "status": 400}
    if gen != "2022-05":
        expected["detail"] = f"{field}: expected an http or https URL with a host and a port from 1 to 65535, if any"
    for url in BAD_URLS:
        r = client.post(f"/queues/{queue_id}/listeners", json={name: "l", **URLS, field: url})
        assert (r.status_code, r.json()) == (400, expected), url
        r = client.put(f"/queues/{queue_id}/listeners/{listener_id}", json={field: url})
        assert r.status_code == 400, url


@pytest.mark.parametrize("url", ["http://x/?a=b", "http://[::1]/n", "https://h:65535", "http://h:1/a#frag"])
def test_urls_the_document_and_the_app_both_accept(api, url):
    client = api("2023-04")
    queue_id = client.post("/queues", json={"name": "q"}).json()["queue"]["id"]
    r = client.post(f"/queues/{queue_id}/listeners", json={"name": "l", "notify_url": url, "liveness_url": url})
    assert r.status_code == 200
    from discue_cli.emulator.openapi import document

    pattern = document()["paths"]["/queues/{queue_id}/listeners"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]["properties"]["notify_url"]["pattern"]
    assert re.match(pattern, url)
    assert not any(re.match(pattern, bad) for bad in BAD_URLS)


def test_a_disabled_listener_is_not_delivered_to_until_enabled(api):
    client = api("2024-08")
    queue_id = client.post("/queues", json={"alias": "q"}).json()["queue"]["id"]
    listener = client.post(f"/queues/{queue_id}/listeners", json={"alias": "l", **URLS, "status": "disabled"})
    listener_id = listener.json()["listener"]["id"]
    client.post(f"/queues/{queue_id}/messages", json={"data": "x"})
    store = client.app.state.store
    assert store.due_deliveries(2**62, 10) == []
    client.put(f"/queues/{queue_id}/listeners/{listener_id}", json={"status": "enabled"})
    assert [d["listener_id"] for d in store.due_deliveries(2**62, 10)] == [listener_id]


def test_an_unknown_generation_is_refused(db):
    with pytest.raises(ValueError, match="unknown API generation '2021-01'"):
        create_app(db, generation="2021-01")
