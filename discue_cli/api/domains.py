"""One function per /domains endpoint (2024-08: the generation of discue's Terraform provider)."""

from __future__ import annotations

from typing import Any

from discue_cli.api import Reply, call, segment
from discue_cli.api.client import Client
from discue_cli.api.generations import ONLY_2024, refuse_unless


def path(domain_id: str | None = None) -> str:
    return "/domains" if domain_id is None else f"/domains/{segment(domain_id, 'domain id')}"


async def list_domains(client: Client) -> Reply:
    refuse_unless(client, "domains", ONLY_2024)
    return Reply.many(await call(client, "GET", path()), "domains")


async def get_domain(client: Client, domain_id: str) -> Reply:
    refuse_unless(client, "domains", ONLY_2024)
    return Reply.one(await call(client, "GET", path(domain_id)), "domain")


async def create_domain(client: Client, fields: dict[str, Any]) -> Reply:
    """`fields`: alias, hostname and port; domains exist only in the `alias` generation, so no renaming."""
    refuse_unless(client, "domains", ONLY_2024)
    return Reply.one(await call(client, "POST", path(), json_body=fields), "domain")


async def update_domain(client: Client, domain_id: str, changes: dict[str, Any]) -> Reply:
    refuse_unless(client, "domains", ONLY_2024)
    return Reply.one(await call(client, "PUT", path(domain_id), json_body=changes), "domain")


async def delete_domain(client: Client, domain_id: str) -> None:
    refuse_unless(client, "domains", ONLY_2024)
    await call(client, "DELETE", path(domain_id))
