"""One function per /api_keys and /api_clients endpoint."""

from __future__ import annotations

from typing import Any

from discue_cli.api import Reply, call, embed_query, segment
from discue_cli.api.client import Client
from discue_cli.api.generations import SINCE_2023, display, name_of, refuse_unless, scopes_body, with_name, writing


def path(key_id: str) -> str:
    return f"/api_keys/{segment(key_id, 'API key id')}"


async def list_api_keys(client: Client, embed: bool = False) -> Reply:
    body = await call(client, "GET", "/api_keys", params=embed_query(client, embed))
    return Reply.many(body, "api_keys", embed)


async def get_api_key(client: Client, key_id: str) -> Reply:
    return Reply.one(await call(client, "GET", path(key_id)), "api_key")


async def key_body(client: Client, fields: dict[str, Any]) -> dict[str, Any]:
    """name/status/scopes in the generation's shape; scopes where the generation has none are refused."""
    if not fields:
        return {}
    generation = await writing(client)
    if "scopes" in fields:
        refuse_unless(client, "API key scopes", SINCE_2023)
        fields = {**fields, "scopes": scopes_body(fields["scopes"], generation)}
    return with_name(generation, fields)


async def create_api_key(client: Client, fields: dict[str, Any]) -> Reply:
    """The new key with its secret, from any generation's reply.

    2024-08 answers the whole key object (secret in `key`); earlier ones the secret string as `api_key`,
    with the id at the top, in the self link, or (the docs' reply, whose link is useless) nowhere."""
    if "status" in fields:
        await writing(client)
        refuse_unless(client, "API key status on create", SINCE_2023)
    body = await call(client, "POST", "/api_keys", json_body=await key_body(client, fields))
    created = body.get("api_key")
    if isinstance(created, dict):  # piped: id, name and key, as the earlier generations print
        return Reply(body, [display(created)], single=True, columns=["id", "name", "key"])
    name = fields.get("name")
    key_id = body.get("id") or id_from_self_link(body)
    if key_id is None and isinstance(created, str):
        key_id = await find_new_key(client, created, name)
    resource = {"id": key_id, "name": name if name is not None else name_of(body), "api_key": created}
    return Reply(body, [resource], single=True)


def id_from_self_link(body: dict[str, Any]) -> str | None:
    href = ((body.get("_links") or {}).get("self") or {}).get("href", "")
    head, _, tail = str(href).rstrip("/").rpartition("/")
    return tail if head.endswith("/api_keys") and tail else None


async def find_new_key(client: Client, secret: str, name: str | None) -> str | None:
    """The id of the key just created: the newest listed key whose redacted prefix starts the secret."""
    keys = (await list_api_keys(client, embed=True)).resources
    matches = [
        k
        for k in keys
        if isinstance(k.get("key"), str) and k["key"] and secret.startswith(k["key"]) and k.get("id") is not None
        if name is None or name_of(k) == name
    ]
    if not matches:
        return None
    newest = max(matches, key=lambda k: k.get("created_at") if isinstance(k.get("created_at"), (int, float)) else 0)
    return str(newest["id"])


async def update_api_key(client: Client, key_id: str, changes: dict[str, Any]) -> Reply:
    """The updated key; the API may answer with no body, so fetch it then."""
    body = await call(client, "PUT", path(key_id), json_body=await key_body(client, changes))
    if "api_key" not in body:
        return await get_api_key(client, key_id)
    return Reply.one(body, "api_key")


async def delete_api_key(client: Client, key_id: str) -> None:
    await call(client, "DELETE", path(key_id))


async def create_api_client(client: Client, name: str | None) -> Reply:
    """2022-05 takes an optional name and answers 204; from 2023-04 no body is documented, 200 with the client."""
    body = None if name is None else with_name(await writing(client), {"name": name})
    return Reply.one(await call(client, "POST", "/api_clients", json_body=body), "api_client")


async def update_api_client(client: Client, client_id: str, name: str) -> Reply:
    generation = await writing(client)
    refuse_unless(client, "PUT /api_clients/{id}", SINCE_2023)
    body = with_name(generation, {"name": name})
    path = f"/api_clients/{segment(client_id, 'API client id')}"
    return Reply.one(await call(client, "PUT", path, json_body=body), "api_client")
