"""The local discue answers 2022-05 and 2023-04 with the fields the docs show and no others.

Every documented endpoint is called (a write, then the reads) and each 2xx reply is compared with the
example body of its docs page (documented_shapes.py): every key the reply has, the docs' example has
at the same place, with a value of the same JSON type. `_links` carries `self` and links named after
the listed items (or a queue's listeners), each leading to such an item: nothing else.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.emulator.documented_shapes import DOCUMENTED

URLS = {"notify_url": "http://127.0.0.1:1/n", "liveness_url": "http://127.0.0.1:1/l"}
SCHEMA = {"person": {"type": "object", "props": {"first": {"type": "string"}}}}
# Where the docs' example shows a value and the local discue may send null: a message or key made
# without a name has none; a queue made without a schema has none (its schema is optional on create).
MAY_BE_NULL = {"name", "schema"}
# Values that are the user's own data, whose keys are not the API's: a queue's message schema.
USER_DATA = {"schema"}
ITEM_LINK = re.compile(r"^http://local/v1/(queues|api_keys|api_clients)(/[^/]+)?(/(listeners|messages)/[^/]+)?$")


def kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object", type(None): "null"}[type(value)]


def compare(got: Any, documented: Any, where: str, problems: list[str]) -> None:
    """Each difference of `got` from the docs' example `documented`, as a line in `problems`."""
    key = where.rsplit(".", 1)[-1].split("[")[0]
    if got is None and key in MAY_BE_NULL:
        return
    if kind(got) != kind(documented):
        problems.append(f"{where}: {kind(got)} where the docs show {kind(documented)}")
        return
    if key in USER_DATA:
        return
    if isinstance(got, list):
        for index, item in enumerate(got):
            compare(item, documented[0], f"{where}[{index}]", problems)
    elif isinstance(got, dict):
        for name, value in got.items():
            if name not in documented:
                problems.append(f"{where}.{name}: not in the docs")
            else:
                compare(value, documented[name], f"{where}.{name}", problems)


def links_problems(links: Any, item_names: set[str]) -> list[str]:
    """`self`, and links named after items; a queue's reply links its listeners (2023-04's docs still
    show them, though `queue.listeners` is gone)."""
    if not isinstance(links, dict) or "self" not in links:
        return ["_links: no self link"]
    problems = []
    for name, link in links.items():
        href = link.get("href") if isinstance(link, dict) else None
        if name == "self" and isinstance(href, str) and href.startswith("http://local/v1/"):
            continue
        if not isinstance(href, str) or not ITEM_LINK.match(href.split("?")[0]):
            problems.append(f"_links.{name}: {link!r} leads to no documented resource")
        elif name != "self" and name not in item_names and "/listeners/" not in href:
            problems.append(f"_links.{name}: names no item of the reply")
    return problems


def check(generation: str, method: str, path: str, reply) -> list[str]:
    documented, page = DOCUMENTED[(generation, method, path)]
    assert reply.status_code == (204 if (generation, method, path) == ("2022-05", "POST", "/api_clients") else 200), (
        method,
        path,
        reply.text,
    )
    if documented is None:
        return [] if not reply.content else [f"{method} {path}: a body where {page} documents none: {reply.text}"]
    body = reply.json()
    problems: list[str] = []
    compare({k: v for k, v in body.items() if k != "_links"}, documented, "", problems)
    names = set()
    for value in body.values():
        items = value if isinstance(value, list) else value.get("listeners", []) if isinstance(value, dict) else []
        names |= {i.get("name") or i["id"] for i in items if isinstance(i, dict) and "id" in i}
        names |= {i["id"] for i in items if isinstance(i, dict) and "id" in i}
    if isinstance(body.get("_embedded"), dict):
        for items in body["_embedded"].values():
            names |= {i.get("name") or i["id"] for i in items}
    problems += links_problems(body.get("_links"), names)
    return [f"{method} {path} ({page}): {p}" for p in problems]


def exercise(client, generation: str) -> list[str]:
    """Every documented endpoint of `generation`, called so that each reply has something to show."""
    later = generation == "2023-04"
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()

    def do(method: str, template: str, path: str, **kwargs: Any):
        reply = client.request(method, path, **kwargs)
        problems.extend(check(generation, method, template, reply))
        seen.add((method, template))
        return reply

    queue_body: dict[str, Any] = {"name": "orders", **({"schema": SCHEMA} if later else {})}
    queue = do("POST", "/queues", "/queues", json=queue_body).json()["queue"]
    q = f"/queues/{queue['id']}"
    do("POST", "/queues", "/queues", json={"name": "plain"})
    listener = do("POST", "/queues/{queue_id}/listeners", f"{q}/listeners", json={"name": "mailer", **URLS})
    lid = listener.json()["listener"]["id"]
    message_body = {"data": '{"person": {"first": "Ada"}}', **({"name": "m1"} if later else {})}
    mid = do("POST", "/queues/{queue_id}/messages", f"{q}/messages", json=message_body).json()["message"]["id"]
    client.post(f"{q}/messages", json={"data": '{"person": {"first": "Bo"}}'})
    key_body = {
        "name": "ci",
        **({"scopes": [{"resource": "queues", "access": "read", "targets": ["*"]}]} if later else {}),
    }
    created_key = do("POST", "/api_keys", "/api_keys", json=key_body)
    key_id = created_key.json()["_links"]["self"]["href"].rsplit("/", 1)[1]
    client.post("/api_keys", json={"name": "unused"})
    client.get("/queues", headers={"x-api-key": created_key.json()["api_key"]})  # the key has been used

    do("GET", "/queues", "/queues")
    do("GET", "/queues/{queue_id}", q)
    do("PUT", "/queues/{queue_id}", q, json={"name": "orders2"})
    do("GET", "/queues/{queue_id}/listeners", f"{q}/listeners")
    do("GET", "/listeners", "/listeners")
    do("GET", "/queues/{queue_id}/listeners/{listener_id}", f"{q}/listeners/{lid}")
    do("PUT", "/queues/{queue_id}/listeners/{listener_id}", f"{q}/listeners/{lid}", json={"name": "sender"})
    do("GET", "/queues/{queue_id}/messages", f"{q}/messages")
    do("GET", "/messages", "/messages")
    do("GET", "/queues/{queue_id}/messages/{message_id}", f"{q}/messages/{mid}")
    do("PUT", "/queues/{queue_id}/messages/{message_id}", f"{q}/messages/{mid}", json={"name": "m2"})
    do("GET", "/api_keys", "/api_keys")
    do("GET", "/api_keys/{api_key_id}", f"/api_keys/{key_id}")
    do("PUT", "/api_keys/{api_key_id}", f"/api_keys/{key_id}", json={"name": "ci2"})
    if not later:
        for embedded in ("/queues/{queue_id}/listeners", "/listeners", "/queues/{queue_id}/messages", "/messages"):
            path = embedded.replace("{queue_id}", queue["id"])
            problems.extend(check(generation, "GET", embedded, client.get(path, params={"_embed": "true"})))
        problems.extend(check(generation, "GET", "/api_keys", client.get("/api_keys", params={"_embed": "true"})))
        do("POST", "/api_clients", "/api_clients", json={"name": "org"})
    else:
        api_client = do("POST", "/api_clients", "/api_clients").json()["api_client"]
        docs_example = {"id": "5bc2be68-7498-4853-aa64-4be0ca62934e", "name": "example.com/dev"}
        path = f"/api_clients/{api_client['id']}"
        do("PUT", "/api_clients/{api_client_id}", path, json=docs_example)
        schema_href = f"{q}/schemas/" + schema_id_of(client, queue["id"])
        do("GET", "/queues/{queue_id}/schemas/{schema_id}", schema_href)
        do("GET", "/stats/messages", "/stats/messages")
        do("GET", "/events", "/events")
    do("DELETE", "/queues/{queue_id}/messages/{message_id}", f"{q}/messages/{mid}")
    do("DELETE", "/queues/{queue_id}/listeners/{listener_id}", f"{q}/listeners/{lid}")
    do("DELETE", "/api_keys/{api_key_id}", f"/api_keys/{key_id}")
    do("DELETE", "/queues/{queue_id}", q)
    missed = {(m, p) for g, m, p in DOCUMENTED if g == generation} - seen
    assert not missed, f"documented endpoints not exercised: {sorted(missed)}"
    return problems


def schema_id_of(client, queue_id: str) -> str:
    """The id GET .../schemas/{schema_id} takes: no docs page says where a client finds it; the local
    discue computes it from the schema (emulator/store.py's schema_id)."""
    from discue_cli.emulator.store import canonical, schema_id

    return schema_id(canonical(client.get(f"/queues/{queue_id}").json()["queue"]["schema"]))


@pytest.mark.parametrize("generation", ["2022-05", "2023-04"])
def test_every_reply_has_the_documented_fields_and_no_others(api, generation):
    assert exercise(api(generation), generation) == []


def test_the_comparison_names_each_extra_field():
    documented = {"message": {"id": "string", "name": "string"}}
    problems: list[str] = []
    compare({"message": {"id": "m", "name": None, "queue_id": "q", "data": "x"}}, documented, "", problems)
    compare({"api_key": {"last_used_at": None}}, {"api_key": {"last_used_at": 1}}, "", problems)
    assert problems == [
        ".message.queue_id: not in the docs",
        ".message.data: not in the docs",
        ".api_key.last_used_at: null where the docs show number",
    ]
    extra = {"self": {"href": "http://local/v1/queues/q"}, "messages": {"href": "http://local/v1/queues/q/messages"}}
    assert links_problems(extra, set()) == [
        "_links.messages: {'href': 'http://local/v1/queues/q/messages'} leads to no documented resource"
    ]
