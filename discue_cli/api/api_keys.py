"""One function per /api_keys and /api_clients endpoint."""

from __future__ import annotations

from discue_cli.api import Reply, embed_query
from discue_cli.api.client import Client


async def list_api_keys(client: Client, embed: bool = False) -> Reply:
    body = await client.request("GET", "/api_keys", params=embed_query(embed))
    return Reply.many(body, "api_keys", embed)


async def get_api_key(client: Client, key_id: str) -> Reply:
    return Reply.one(await client.request("GET", f"/api_keys/{key_id}"), "api_key")


async def create_api_key(client: Client, name: str | None) -> Reply:
    """The new key. The API returns the secret once, as `api_key`; its id comes from the self link."""
    body = await client.request("POST", "/api_keys", json_body={"name": name} if name else {})
    secret = body.get("api_key")
    key_id = body.get("id")
    if key_id is None:
        href = ((body.get("_links") or {}).get("self") or {}).get("href", "")
        head, _, tail = str(href).rstrip("/").rpartition("/")
        key_id = tail if head.endswith("/api_keys") else None
    resource = {"id": key_id, "name": name if name is not None else body.get("name"), "api_key": secret}
    return Reply(body, [resource], single=True)


async def update_api_key(client: Client, key_id: str, changes: dict) -> Reply:
    """The updated key; the API may answer with no body, so fetch it then."""
    body = await client.request("PUT", f"/api_keys/{key_id}", json_body=changes)
    if "api_key" not in body:
        return await get_api_key(client, key_id)
    return Reply.one(body, "api_key")


async def delete_api_key(client: Client, key_id: str) -> None:
    await client.request("DELETE", f"/api_keys/{key_id}")


async def create_api_client(client: Client, name: str) -> Reply:
    body = await client.request("POST", "/api_clients", json_body={"name": name})
    item = body.get("api_client") if isinstance(body.get("api_client"), dict) else None
    return Reply(body, [item] if item else [], single=True)
