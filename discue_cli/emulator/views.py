"""How each generation shows the stored data, and the OpenAPI schema of each shape, side by side."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from discue_cli.emulator.generations import Generation
from discue_cli.emulator.store import COUNTERS as STATS_COUNTERS
from discue_cli.emulator.store import Store
from discue_cli.emulator.web import base_url, flag, named_links, reply

TIME = {"type": "integer", "nullable": True, "description": "milliseconds since the epoch"}
STRING = {"type": "string"}
NULLABLE_STRING = {"type": "string", "nullable": True}
INTEGER = {"type": "integer"}


@dataclass
class Call:
    """One request as a handler sees it: checked body and query, the store, the generation served."""

    request: Request
    store: Store
    gen: Generation
    body: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, str]:
        return self.request.path_params

    def reply(self, body: dict[str, Any]) -> Response:
        return reply(self.request, body)

    def stream(self, body: dict[str, Any], done: Callable[[], None]) -> Response:
        """A reply whose Lazy parts are read as it is written (streaming.py); `done` when over or abandoned."""
        from starlette.responses import StreamingResponse

        from discue_cli.emulator.streaming import chunks, encode

        pretty = flag(self.request, "pretty")

        def written() -> Iterator[bytes]:
            try:
                yield from chunks(encode(body, pretty))
            finally:
                done()

        # A plain iterator: Starlette pulls each chunk on a worker thread, so the reads from SQLite
        # and the encoding keep the event loop free for other requests.
        return StreamingResponse(written(), media_type="application/json")

    @cached_property
    def base(self) -> str:
        """Where links lead: worked out once per request, as a listing makes one link per item."""
        return base_url(self.request)

    def link(self, path: str) -> dict[str, str]:
        return {"href": self.base + path}

    def links(self, self_path: str, rows: list[dict[str, Any]], path_of: Any) -> dict[str, Any]:
        return named_links(self.base, self_path, rows, path_of)

    def named(self, row: dict[str, Any], *keys: str) -> dict[str, Any]:
        """`keys` of a stored row, with its name under the generation's word for it."""
        shown = {"id": row["id"], self.gen.name_key: row["name"]}
        shown.update({key: row[key] for key in keys})
        return shown


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


# -- queues


def queue(call: Call, row: dict[str, Any]) -> dict[str, Any]:
    """As the docs show it: with its listeners' briefs (2022-05), or with its schema (2023-04 on)."""
    if call.gen.embed:
        return {"id": row["id"], "name": row["name"], "listeners": row["listeners"]}
    return call.named(row, "schema")


def queue_body(call: Call, row: dict[str, Any]) -> dict[str, Any]:
    """`_links`: the queue's own and one per listener, as the docs' queue replies have them."""
    path = f"/queues/{row['id']}"
    links = call.links(path, row["listeners"], lambda item: f"{path}/listeners/{item['id']}")
    return {"queue": queue(call, row), "_links": links}


def queue_schema(gen: Generation) -> dict[str, Any]:
    if gen.embed:
        return obj({"id": STRING, "name": STRING, "listeners": {"type": "array", "items": ref("Brief")}}, ["id"])
    message_schema = {"type": "object", "nullable": True, "additionalProperties": {"type": "object"}}
    return obj({"id": STRING, gen.name_key: STRING, "schema": message_schema}, ["id"])


# -- listeners


def listener(call: Call, row: dict[str, Any]) -> dict[str, Any]:
    """A whole listener as the docs show it (no queue: a client knows it from the path it asked)."""
    figures = call.store.delivery_figures(row["id"])
    if call.gen.embed:
        liveness = {
            "state": row["live_state"],
            "success_count": row["live_success_count"],
            "last_success_at": row["live_last_success_at"],
            "failure_count": row["live_failure_count"],
            "last_failure_status": row["live_last_failure_status"],
            "last_failure_at": row["live_last_failure_at"],
            "last_failure_msg": row["live_last_failure_msg"],
        }
        # The docs show numbers (a string for the message) where nothing happened yet: none to show.
        return {
            **call.named(row, "notify_url", "liveness_url"),
            "liveness": present(liveness),
            "messages": present(figures),
        }
    shown = call.named(row, "notify_url", "liveness_url")
    if call.gen.since("2024-08"):
        shown["status"] = row["status"]
    shown["liveness"] = {
        "state": row["live_state"],
        "success_count": row["live_success_count"],
        "failure_count": row["live_failure_count"],
    }
    shown["messages"] = {key: figures[key] for key in ("acknowledged_count", "missed", "missed_count")}
    return shown


def present(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def listener_written(call: Call, row: dict[str, Any]) -> dict[str, Any]:
    """The reply to adding or changing a listener: `{id, name}` in the docs (2022-05, 2023-04); the
    whole listener in 2024-08, whose one client (the Terraform provider) reads it back."""
    return listener(call, row) if call.gen.since("2024-08") else call.named(row)


def listener_path(row: dict[str, Any]) -> str:
    return f"/queues/{row['queue_id']}/listeners/{row['id']}"


def listener_schema(gen: Generation) -> dict[str, Any]:
    liveness = {"state": {"type": "string", "enum": ["unknown", "stable", "unstable"]}, "success_count": INTEGER}
    liveness["failure_count"] = INTEGER
    messages = {"acknowledged_count": INTEGER, "missed": {"type": "array", "items": STRING}, "missed_count": INTEGER}
    if gen.embed:
        liveness.update(
            last_success_at=TIME,
            last_failure_status={"type": "integer", "nullable": True},
            last_failure_at=TIME,
            last_failure_msg=NULLABLE_STRING,
        )
        messages.update(last_success_at=TIME, last_failure_at=TIME)
    properties = {"id": STRING, gen.name_key: STRING, "notify_url": STRING}
    properties.update(liveness_url=STRING, liveness=obj(liveness), messages=obj(messages))
    if gen.since("2024-08"):
        properties["status"] = {"type": "string", "enum": ["enabled", "disabled"]}
    return obj(properties, ["id", gen.name_key])


# -- messages


def message(call: Call, row: dict[str, Any]) -> dict[str, Any]:
    """`{id, name}`: no docs page shows a message's data or time."""
    return call.named(row)


def message_path(row: dict[str, Any]) -> str:
    return f"/queues/{row['queue_id']}/messages/{row['id']}"


def message_schema(gen: Generation) -> dict[str, Any]:
    return obj({"id": STRING, gen.name_key: NULLABLE_STRING}, ["id"])


# -- api keys


def scopes(call: Call, stored: dict[str, Any] | None) -> Any:
    """A key's scopes in the generation's shape; a key without any shows the permissive default."""
    if stored is None:
        stored = {resource: {"access": "write", "targets": ["*"]} for resource in call.gen.settable_scopes}
    known = {resource: scope for resource, scope in stored.items() if resource in call.gen.scope_resources}
    if call.gen.scopes_shape == "object":
        return known
    return [{"resource": resource, **scope} for resource, scope in known.items()]


def api_key(call: Call, row: dict[str, Any], secret: str | None = None) -> dict[str, Any]:
    shown = call.named(row, "created_at", "updated_at")
    if row["last_used_at"] is not None:  # the docs show a number: a key never used has none to show
        shown["last_used_at"] = row["last_used_at"]
    shown.update(key=secret or row["key_prefix"], status=row["status"])
    if call.gen.scopes_shape:
        shown["scopes"] = scopes(call, row["scopes"])
    return shown


def api_key_schema(gen: Generation) -> dict[str, Any]:
    properties = {
        "id": STRING,
        gen.name_key: NULLABLE_STRING,
        "created_at": INTEGER,
        "updated_at": INTEGER,
        "last_used_at": {"type": "integer", "description": "milliseconds since the epoch; absent until first used"},
        "key": {"type": "string", "description": "the first characters only; the key is never returned again"},
        "status": {"type": "string", "enum": ["enabled", "disabled"]},
    }
    if gen.scopes_shape == "list":
        scope = obj({"resource": STRING, "access": STRING, "targets": {"type": "array", "items": STRING}})
        properties["scopes"] = {"type": "array", "items": scope}
    elif gen.scopes_shape == "object":
        properties["scopes"] = {"type": "object", "additionalProperties": obj({"access": STRING, "targets": {}})}
    return obj(properties, ["id", "status"])


# -- domains (2024-08)


def domain(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "alias": row["name"],
        "hostname": row["hostname"],
        "port": row["port"],
        "challenge": {"https": row["challenge"]},
        "verification": {"verified": False, "verified_at": None},
    }


def domain_schema() -> dict[str, Any]:
    https = obj(
        {"file_content": STRING, "file_name": STRING, "context_path": STRING, "created_at": INTEGER},
    )
    https["properties"]["expires_at"] = INTEGER
    verification = obj({"verified": {"type": "boolean"}, "verified_at": TIME})
    properties = {"id": STRING, "alias": STRING, "hostname": STRING, "port": INTEGER}
    properties.update(challenge=obj({"https": https}), verification=verification)
    return obj(properties, ["id", "alias", "hostname", "port"])


# -- usage events


def event(call: Call, row: dict[str, Any], client_id: str) -> dict[str, Any]:
    shown = {"id": row["id"], "type": row["type"], "stored_at": row["stored_at"], "client": {"id": client_id}}
    for kind, target in row["refs"].items():
        if kind in EVENT_REFS:  # the docs' event shows these; an api client's event names only `client`
            shown[kind] = {"id": target["id"], call.gen.name_key: target["name"]}
    return shown


def event_schema(gen: Generation) -> dict[str, Any]:
    target = obj({"id": STRING, gen.name_key: NULLABLE_STRING})
    properties = {"id": STRING, "type": STRING, "stored_at": INTEGER, "client": obj({"id": STRING})}
    properties.update(dict.fromkeys(("message", "api_key", "queue", "listener"), target))
    return obj(properties, ["id", "type", "stored_at"])


def components(gen: Generation) -> dict[str, Any]:
    """The named schemas of the document for `gen`; endpoints.py names the reply of each operation."""
    envelope = {
        "Error": obj({"title": STRING, "status": INTEGER}, ["title", "status"]),
        "Link": obj({"href": STRING}, ["href"]),
        "Links": {"type": "object", "additionalProperties": ref("Link"), "required": ["self"]},
        "Brief": obj({"id": STRING, "name": NULLABLE_STRING}, ["id"]),
        "Queue": queue_schema(gen),
        "Listener": listener_schema(gen),
        "Message": message_schema(gen),
        "ApiKey": api_key_schema(gen),
    }
    replies: dict[str, Any] = {}
    for kind, plural in (("Queue", "queues"), ("Listener", "listeners"), ("Message", "messages")):
        replies[f"Get{kind}Response"] = obj({kind.lower(): ref(kind), "_links": ref("Links")}, [kind.lower(), "_links"])
        replies[f"Get{kind}sResponse"] = listing(gen, plural, kind)
    replies["GetApiKeyResponse"] = obj({"api_key": ref("ApiKey"), "_links": ref("Links")}, ["api_key", "_links"])
    replies["GetApiKeysResponse"] = listing(gen, "api_keys", "ApiKey")
    if gen.since("2024-08"):
        replies["PostApiKeyResponse"] = replies["GetApiKeyResponse"]
    else:
        secret = {"api_key": STRING, "_links": ref("Links")}
        replies["PostApiKeyResponse"] = obj(secret, ["api_key", "_links"])
    if gen.since("2023-04"):
        client = obj({"id": STRING, gen.name_key: NULLABLE_STRING}, ["id"])
        replies["ApiClientResponse"] = obj({"api_client": client, "_links": ref("Links")}, ["api_client", "_links"])
        rule_map = {"type": "object", "additionalProperties": {"type": "object"}}
        replies["GetSchemaResponse"] = obj({"schema": rule_map, "_links": ref("Links")}, ["schema", "_links"])
        events = {"type": "array", "items": event_schema(gen)}
        replies["GetEventsResponse"] = obj({"events": events, "_links": ref("Links")}, ["events", "_links"])
        window = obj({name: INTEGER for name in STATS_COUNTERS}, list(STATS_COUNTERS))
        windows = obj(dict.fromkeys(STATS_WINDOWS, window), list(STATS_WINDOWS))
        stats = {"aggregated_api_usage_events": windows, "_links": ref("Links")}
        replies["GetMessageStatsResponse"] = obj(stats, ["aggregated_api_usage_events", "_links"])
    if gen.since("2024-08"):
        envelope["Domain"] = domain_schema()
        replies["GetDomainResponse"] = obj({"domain": ref("Domain"), "_links": ref("Links")}, ["domain", "_links"])
        replies["GetDomainsResponse"] = listing(gen, "domains", "Domain")
        replies["DeleteResponse"] = obj({"_links": {"type": "object"}}, ["_links"])
    return {**envelope, **replies}


def listing(gen: Generation, plural: str, kind: str) -> dict[str, Any]:
    if not gen.embed:
        return obj({plural: {"type": "array", "items": ref(kind)}, "_links": ref("Links")}, [plural, "_links"])
    embedded = obj({plural: {"type": "array", "items": ref(kind)}})
    properties = {plural: {"type": "array", "items": ref("Brief")}, "_embedded": embedded, "_links": ref("Links")}
    return obj(properties, [plural, "_links"])


EVENT_REFS = ("message", "api_key", "queue", "listener")
STATS_WINDOWS = ("last_24_hours", "last_1_hours", "today_so_far")
