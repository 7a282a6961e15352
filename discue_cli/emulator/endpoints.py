"""The one description of the local discue's endpoints, per API generation.

Each Endpoint names its path, method, handler, request body (built from the shared field rules in
fields.py), query parameters, reply schema (a component of views.components) and extra error statuses.
app.py makes the routes from this table and openapi.py the document, so the two cannot drift.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from discue_cli.emulator import handlers as h
from discue_cli.emulator.fields import (
    EMBED,
    Body,
    Choice,
    Data,
    Hostname,
    Id,
    MessageSchema,
    Port,
    Query,
    Rule,
    Scopes,
    Text,
    Url,
)
from discue_cli.emulator.generations import PROTECTED, Generation
from discue_cli.emulator.views import Call

Handler = Callable[[Call], Awaitable[Response]]
STATUS = Choice(("enabled", "disabled"))
EVENTS_QUERY = (
    Query("events", {"type": "string", "enum": ["all", "api_keys", "listeners", "messages", "queues"]}, "Category"),
    Query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "At most this many events (default 100)"),
    Query("startAfter", {"type": "integer", "minimum": 0}, "Only events stored after this time (ms)"),
    Query("startAfterId", {"type": "string", "minLength": 1}, "Only events after the event with this id"),
)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    resource: str  # what API-key scopes call the resource
    reply: str | None  # the component schema of the 200 reply; None: no body
    body: Body | None = None
    query: tuple[Query, ...] = ()
    errors: tuple[int, ...] = ()  # beyond those every endpoint may answer
    ok_status: int = 200

    def statuses(self, gen: Generation) -> list[int]:
        """Every error status the endpoint may answer in `gen`."""
        statuses = {400, 401, 405, 406, 500, 507, *self.errors}
        if gen.since("2023-04"):
            statuses.add(403)
        if "{" in self.path:
            statuses.add(404)
        if self.body is not None:
            statuses |= {413, 415}
        return sorted(statuses)


def endpoints(gen: Generation) -> list[Endpoint]:
    """The endpoints `gen` serves."""
    name = gen.name_key
    later = gen.since("2023-04")
    latest = gen.since("2024-08")
    refused = {"name": "this API generation (2024-08) calls it alias"} if latest else {}

    def body(fields: dict[str, Rule], required: tuple[str, ...] = (), optional: bool = False) -> Body:
        return Body(fields, required, optional, refused)

    embed = (EMBED,) if gen.embed else ()
    delete_reply = "DeleteResponse" if latest else None
    queue_fields: dict[str, Rule] = {name: Text(), **({"schema": MessageSchema()} if later else {})}
    listener_fields: dict[str, Rule] = {name: Text(), "notify_url": Url(), "liveness_url": Url()}
    if latest:
        listener_fields["status"] = STATUS
    key_fields: dict[str, Rule] = {name: Text(), "status": STATUS}
    if later:
        key_fields["scopes"] = Scopes(gen.scopes_shape, gen.scope_resources, PROTECTED)
    message_fields: dict[str, Rule] = {name: Text(), "data": Data()} if later else {"data": Data()}

    q, ql, qm = "/queues/{queue_id}", "/queues/{queue_id}/listeners", "/queues/{queue_id}/messages"
    table = [
        Endpoint("GET", "/queues", h.list_queues, "Get all queues", "queues", "GetQueuesResponse", query=embed),
        Endpoint(
            "POST",
            "/queues",
            h.create_queue,
            "Create a queue",
            "queues",
            "GetQueueResponse",
            body(queue_fields, (name,)),
            errors=(422,),
        ),
        Endpoint("GET", q, h.get_queue, "Get a queue by id", "queues", "GetQueueResponse"),
        Endpoint(
            "PUT",
            q,
            h.update_queue,
            "Update a queue by id",
            "queues",
            "GetQueueResponse",
            body(queue_fields),
            errors=(422,),
        ),
        Endpoint("DELETE", q, h.delete_queue, "Delete a queue by id", "queues", delete_reply),
        Endpoint(
            "GET",
            ql,
            h.list_queue_listeners,
            "Get all queue listeners by id",
            "listeners",
            "GetListenersResponse",
            query=embed,
        ),
        Endpoint(
            "POST",
            ql,
            h.add_listener,
            "Add a listener to a queue",
            "listeners",
            "GetListenerResponse",
            body(listener_fields, (name, "notify_url", "liveness_url")),
            errors=(422,),
        ),
        Endpoint(
            "GET", ql + "/{listener_id}", h.get_listener, "Get a listener by id", "listeners", "GetListenerResponse"
        ),
        Endpoint(
            "PUT",
            ql + "/{listener_id}",
            h.update_listener,
            "Update a listener by id",
            "listeners",
            "GetListenerResponse",
            body(listener_fields),
            errors=(422,),
        ),
        Endpoint(
            "DELETE", ql + "/{listener_id}", h.delete_listener, "Delete a listener by id", "listeners", delete_reply
        ),
        Endpoint(
            "GET", qm, h.list_queue_messages, "Get messages by queue id", "messages", "GetMessagesResponse", query=embed
        ),
        Endpoint(
            "POST",
            qm,
            h.add_message,
            "Add a message to a queue",
            "messages",
            "GetMessageResponse",
            body(message_fields, ("data",)),
            errors=(409, 422) if later else (),
        ),
        Endpoint("GET", qm + "/{message_id}", h.get_message, "Get a message by id", "messages", "GetMessageResponse"),
        Endpoint(
            "PUT",
            qm + "/{message_id}",
            h.update_message,
            "Update a message by id",
            "messages",
            "GetMessageResponse",
            body({name: Text()}, optional=True),
        ),
        Endpoint("DELETE", qm + "/{message_id}", h.delete_message, "Delete a message by id", "messages", delete_reply),
        Endpoint(
            "GET",
            "/listeners",
            h.list_all_listeners,
            "Get all listeners",
            "listeners",
            "GetListenersResponse",
            query=embed,
        ),
        Endpoint(
            "GET", "/messages", h.list_all_messages, "Get all messages", "messages", "GetMessagesResponse", query=embed
        ),
        Endpoint(
            "GET", "/api_keys", h.list_api_keys, "Get all api keys", "api_keys", "GetApiKeysResponse", query=embed
        ),
        Endpoint(
            "POST",
            "/api_keys",
            h.create_api_key,
            "Create an api key",
            "api_keys",
            "PostApiKeyResponse",
            body(key_fields if later else {name: Text()}, optional=True),
        ),
        Endpoint(
            "GET", "/api_keys/{api_key_id}", h.get_api_key, "Get an api key by id", "api_keys", "GetApiKeyResponse"
        ),
        Endpoint(
            "PUT",
            "/api_keys/{api_key_id}",
            h.update_api_key,
            "Update an api key by id",
            "api_keys",
            "GetApiKeyResponse" if latest else None,  # the docs show no body before 2024-08
            body(key_fields, optional=True),
        ),
        Endpoint(
            "DELETE", "/api_keys/{api_key_id}", h.delete_api_key, "Delete an api key by id", "api_keys", delete_reply
        ),
        Endpoint(
            "POST",
            "/api_clients",
            h.create_api_client,
            "Create an api client",
            "api_clients",
            "ApiClientResponse" if later else None,
            body({name: Text()}, optional=True),
            ok_status=200 if later else 204,
        ),
    ]
    if later:
        table += [
            Endpoint(
                "PUT",
                "/api_clients/{api_client_id}",
                h.update_api_client,
                "Update an api client",
                "api_clients",
                "ApiClientResponse",
                body({"id": Id(), name: Text()}, optional=True),
            ),
            Endpoint(
                "GET", q + "/schemas/{schema_id}", h.get_schema, "Get a schema by id", "schemas", "GetSchemaResponse"
            ),
            Endpoint("GET", "/events", h.list_events, "Get events", "events", "GetEventsResponse", query=EVENTS_QUERY),
            Endpoint(
                "GET", "/stats/messages", h.message_stats, "Get all message stats", "stats", "GetMessageStatsResponse"
            ),
        ]
    if latest:
        domain_fields: dict[str, Rule] = {"alias": Text(), "hostname": Hostname(), "port": Port()}
        d = "/domains/{domain_id}"
        table += [
            Endpoint("GET", "/domains", h.list_domains, "Get all domains", "domains", "GetDomainsResponse"),
            Endpoint(
                "POST",
                "/domains",
                h.create_domain,
                "Create a domain",
                "domains",
                "GetDomainResponse",
                body(domain_fields, ("alias", "hostname")),
                errors=(422,),
            ),
            Endpoint("GET", d, h.get_domain, "Get a domain by id", "domains", "GetDomainResponse"),
            Endpoint(
                "PUT",
                d,
                h.update_domain,
                "Update a domain by id",
                "domains",
                "GetDomainResponse",
                body(domain_fields),
                errors=(422,),
            ),
            Endpoint("DELETE", d, h.delete_domain, "Delete a domain by id", "domains", delete_reply),
        ]
    return table


def by_path(gen: Generation) -> dict[str, dict[str, Endpoint]]:
    """The table grouped by path, in order: path -> method -> endpoint."""
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints(gen):
        paths.setdefault(endpoint.path, {})[endpoint.method] = endpoint
    return paths
