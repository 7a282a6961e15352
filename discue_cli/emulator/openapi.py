"""The OpenAPI 3 document of discue v0.1.0 as the local discue implements it.

Written from ../shared/api-reference; where the reference is loose (a `self` link given as a bare
string, an example id with seven digits) the document states what this implementation does.
"""

from __future__ import annotations

from typing import Any

NAME = {"type": "string", "minLength": 1, "maxLength": 256, "pattern": r"\S"}
URL = {"type": "string", "maxLength": 256, "pattern": r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$"}
TIME = {"type": "integer", "nullable": True, "description": "milliseconds since the epoch"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


ERRORS = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
}

SCHEMAS: dict[str, Any] = {
    "Error": obj({"title": {"type": "string"}, "status": {"type": "integer"}}, ["title", "status"]),
    "Link": obj({"href": {"type": "string"}}, ["href"]),
    "Links": {"type": "object", "additionalProperties": ref("Link"), "required": ["self"]},
    "Brief": obj({"id": {"type": "string"}, "name": {"type": "string", "nullable": True}}, ["id"]),
    "Queue": obj(
        {"id": {"type": "string"}, "name": {"type": "string"}, "listeners": {"type": "array", "items": ref("Brief")}},
        ["id", "name", "listeners"],
    ),
    "Liveness": obj(
        {
            "state": {"type": "string", "enum": ["unknown", "stable", "unstable"]},
            "success_count": {"type": "integer"},
            "last_success_at": TIME,
            "failure_count": {"type": "integer"},
            "last_failure_status": {"type": "integer", "nullable": True},
            "last_failure_at": TIME,
            "last_failure_msg": {"type": "string", "nullable": True},
        }
    ),
    "ListenerMessages": obj(
        {
            "acknowledged_count": {"type": "integer"},
            "last_success_at": TIME,
            "last_failure_at": TIME,
            "missed": {"type": "array", "items": {"type": "string"}},
            "missed_count": {"type": "integer"},
        }
    ),
    "Listener": obj(
        {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "queue_id": {"type": "string"},
            "notify_url": {"type": "string"},
            "liveness_url": {"type": "string"},
            "liveness": ref("Liveness"),
            "messages": ref("ListenerMessages"),
        },
        ["id", "name"],
    ),
    "Message": obj(
        {
            "id": {"type": "string"},
            "name": {"type": "string", "nullable": True},
            "queue_id": {"type": "string"},
            "data": {"type": "string"},
            "created_at": {"type": "integer"},
        },
        ["id"],
    ),
    "ApiKey": obj(
        {
            "id": {"type": "string"},
            "name": {"type": "string", "nullable": True},
            "created_at": {"type": "integer"},
            "updated_at": {"type": "integer"},
            "last_used_at": TIME,
            "key": {"type": "string", "description": "the first characters only; the key is never returned again"},
            "status": {"type": "string", "enum": ["enabled", "disabled"]},
        },
        ["id", "status"],
    ),
    "GetQueueResponse": obj({"queue": ref("Queue"), "_links": ref("Links")}, ["queue", "_links"]),
    "GetQueuesResponse": obj(
        {
            "queues": {"type": "array", "items": ref("Brief")},
            "_embedded": obj({"queues": {"type": "array", "items": ref("Queue")}}),
            "_links": ref("Links"),
        },
        ["queues", "_links"],
    ),
    "GetListenerResponse": obj({"listener": ref("Listener"), "_links": ref("Links")}, ["listener", "_links"]),
    "GetListenersResponse": obj(
        {
            "listeners": {"type": "array", "items": ref("Brief")},
            "_embedded": obj({"listeners": {"type": "array", "items": ref("Listener")}}),
            "_links": ref("Links"),
        },
        ["listeners", "_links"],
    ),
    "GetMessageResponse": obj({"message": ref("Message"), "_links": ref("Links")}, ["message", "_links"]),
    "GetMessagesResponse": obj(
        {
            "messages": {"type": "array", "items": ref("Brief")},
            "_embedded": obj({"messages": {"type": "array", "items": ref("Message")}}),
            "_links": ref("Links"),
        },
        ["messages", "_links"],
    ),
    "PostApiKeyResponse": obj(
        {"api_key": {"type": "string"}, "id": {"type": "string"}, "_links": ref("Links")}, ["api_key", "_links"]
    ),
    "GetApiKeyResponse": obj({"api_key": ref("ApiKey"), "_links": ref("Links")}, ["api_key", "_links"]),
    "GetApiKeysResponse": obj(
        {
            "api_keys": {"type": "array", "items": ref("Brief")},
            "_embedded": obj({"api_keys": {"type": "array", "items": ref("ApiKey")}}),
            "_links": ref("Links"),
        },
        ["api_keys", "_links"],
    ),
    "CreateQueueRequest": obj({"name": NAME}, ["name"]),
    "UpdateQueueRequest": obj({"name": NAME}),
    "CreateListenerRequest": obj(
        {"name": NAME, "notify_url": URL, "liveness_url": URL}, ["name", "notify_url", "liveness_url"]
    ),
    "UpdateListenerRequest": obj({"name": NAME, "notify_url": URL, "liveness_url": URL}),
    "CreateMessageRequest": obj({"data": {"type": "string"}}, ["data"]),
    "UpdateMessageRequest": obj({"name": NAME}),
    "CreateApiKeyRequest": obj({"name": NAME}),
    "UpdateApiKeyRequest": obj({"name": NAME, "status": {"type": "string", "enum": ["enabled", "disabled"]}}),
    "ApiClient": obj({"name": NAME}),
}

PRETTY = {
    "name": "pretty",
    "in": "query",
    "required": False,
    "schema": {"type": "boolean"},
    "description": "Return the response pretty printed",
}
EMBED = {
    "name": "_embed",
    "in": "query",
    "required": False,
    "schema": {"type": "boolean"},
    "description": "Embed full resources in response payload",
}


def path_param(name: str, what: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1},
        "description": f"Id of the target {what}",
    }


def operation(
    summary: str,
    ok: str | None,
    errors: list[int],
    *,
    body: str | None = None,
    params: list[dict[str, Any]] | None = None,
    ok_status: int = 200,
    body_required: bool = True,
) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if ok is None:
        responses[str(ok_status)] = {"description": HTTP_OK.get(ok_status, "Ok")}
    else:
        responses[str(ok_status)] = {"description": "Ok", "content": {"application/json": {"schema": ref(ok)}}}
    for status in sorted(set(errors) | {400, 401, 405, 406, 500}):
        responses[str(status)] = {
            "description": ERRORS[status],
            "content": {"application/json": {"schema": ref("Error")}},
        }
    op: dict[str, Any] = {"summary": summary, "parameters": [*(params or []), PRETTY], "responses": responses}
    if body:
        op["requestBody"] = {"required": body_required, "content": {"application/json": {"schema": ref(body)}}}
    return op


HTTP_OK = {200: "Ok", 204: "No Content"}
WRITE = [400, 413, 415]


def document(server: str = "") -> dict[str, Any]:
    queue = path_param("queue_id", "queue")
    listener = path_param("listener_id", "listener")
    message = path_param("message_id", "message")
    key = path_param("api_key_id", "api key")
    paths = {
        "/queues": {
            "get": operation("Get all queues", "GetQueuesResponse", [], params=[EMBED]),
            "post": operation("Create a queue", "GetQueueResponse", [*WRITE, 422], body="CreateQueueRequest"),
        },
        "/queues/{queue_id}": {
            "get": operation("Get a queue by id", "GetQueueResponse", [404], params=[queue]),
            "put": operation(
                "Update a queue by id",
                "GetQueueResponse",
                [*WRITE, 404, 422],
                params=[queue],
                body="UpdateQueueRequest",
            ),
            "delete": operation("Delete a queue by id", None, [404], params=[queue]),
        },
        "/queues/{queue_id}/listeners": {
            "get": operation("Get all queue listeners by id", "GetListenersResponse", [404], params=[queue, EMBED]),
            "post": operation(
                "Add a listener to a queue",
                "GetListenerResponse",
                [*WRITE, 404],
                params=[queue],
                body="CreateListenerRequest",
            ),
        },
        "/queues/{queue_id}/listeners/{listener_id}": {
            "get": operation("Get a listener by id", "GetListenerResponse", [404], params=[queue, listener]),
            "put": operation(
                "Update a listener by id",
                "GetListenerResponse",
                [*WRITE, 404],
                params=[queue, listener],
                body="UpdateListenerRequest",
            ),
            "delete": operation("Delete a listener by id", None, [404], params=[queue, listener]),
        },
        "/queues/{queue_id}/messages": {
            "get": operation("Get messages by queue id", "GetMessagesResponse", [404], params=[queue, EMBED]),
            "post": operation(
                "Add a message to a queue",
                "GetMessageResponse",
                [*WRITE, 404],
                params=[queue],
                body="CreateMessageRequest",
            ),
        },
        "/queues/{queue_id}/messages/{message_id}": {
            "get": operation("Get a message by id", "GetMessageResponse", [404], params=[queue, message]),
            "put": operation(
                "Update a message by id",
                "GetMessageResponse",
                [*WRITE, 404],
                params=[queue, message],
                body="UpdateMessageRequest",
                body_required=False,
            ),
            "delete": operation("Delete a message by id", None, [404], params=[queue, message]),
        },
        "/listeners": {"get": operation("Get all listeners", "GetListenersResponse", [], params=[EMBED])},
        "/messages": {"get": operation("Get all messages", "GetMessagesResponse", [], params=[EMBED])},
        "/api_keys": {
            "get": operation("Get all api keys", "GetApiKeysResponse", [], params=[EMBED]),
            "post": operation(
                "Create an api key", "PostApiKeyResponse", WRITE, body="CreateApiKeyRequest", body_required=False
            ),
        },
        "/api_keys/{api_key_id}": {
            "get": operation("Get an api key by id", "GetApiKeyResponse", [404], params=[key]),
            "put": operation(
                "Update an api key by id",
                "GetApiKeyResponse",
                [*WRITE, 404],
                params=[key],
                body="UpdateApiKeyRequest",
                body_required=False,
            ),
            "delete": operation("Delete an api key by id", None, [404], params=[key]),
        },
        "/api_clients": {
            "post": operation(
                "Create an api client", None, WRITE, body="ApiClient", ok_status=204, body_required=False
            ),
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "discue scheduling and queueing API", "version": "0.1.0"},
        "servers": [{"url": f"{server}/v1" if not server.endswith("/v1") else server}],
        "security": [{"ApiKey": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-KEY"}},
        },
    }
