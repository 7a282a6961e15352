"""The 2xx replies the API docs show, per generation: the example bodies of discue's API
reference of May 2022 ("2022-05") and of its docs of April 2023 ("2023-04"), copied as the pages print them.

Keyed by (generation, method, path): (example body, or None where the page shows no body; the page).
Made from each page's first "2xx Response" block; change it only by reading the pages again."""

from __future__ import annotations

from typing import Any

DOCUMENTED: dict[tuple[str, str, str], tuple[Any, str]] = {
    ("2022-05", "POST", "/api_keys"): (
        {
            "api_key": "EPLPXwVOdhCxc4lylNpMeDM0_GhnCAZg3tFrWtZbb0cYQ7NCyRVfaN-O9rItf5kw",
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                }
            },
        },
        "api-keys/create-an-api-key.md",
    ),
    ("2022-05", "DELETE", "/api_keys/{api_key_id}"): (None, "api-keys/delete-an-api-key-by-id.md"),
    ("2022-05", "GET", "/api_keys"): (
        {
            "api_keys": [{"id": "string", "name": "string"}],
            "_embedded": {
                "api_keys": [
                    {
                        "id": "string",
                        "name": "string",
                        "created_at": 1644616838173,
                        "updated_at": 1644616838173,
                        "last_used_at": 1644616838173,
                        "key": "ep1",
                        "status": "disabled",
                    }
                ]
            },
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                }
            },
        },
        "api-keys/get-all-api-keys.md",
    ),
    ("2022-05", "GET", "/api_keys/{api_key_id}"): (
        {
            "api_key": {
                "id": "string",
                "name": "string",
                "created_at": 1644616838173,
                "updated_at": 1644616838173,
                "last_used_at": 1644616838173,
                "key": "ep1",
                "status": "disabled",
            },
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                }
            },
        },
        "api-keys/get-an-api-key-by-id.md",
    ),
    ("2022-05", "PUT", "/api_keys/{api_key_id}"): (None, "api-keys/update-an-api-key-by-id.md"),
    ("2022-05", "POST", "/api_clients"): (None, "organizations/create-an-api-client.md"),
    ("2022-05", "POST", "/queues/{queue_id}/listeners"): (
        {
            "listener": {"id": "string", "name": "string"},
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                }
            },
        },
        "queue-listeners/add-a-listener-to-a-queue.md",
    ),
    ("2022-05", "DELETE", "/queues/{queue_id}/listeners/{listener_id}"): (
        None,
        "queue-listeners/delete-a-listener-by-id.md",
    ),
    ("2022-05", "GET", "/queues/{queue_id}/listeners/{listener_id}"): (
        {
            "listener": {
                "id": "string",
                "name": "string",
                "liveness": {
                    "state": "stable",
                    "success_count": 1,
                    "last_success_at": 1644262937466,
                    "failure_count": 1,
                    "last_failure_status": 500,
                    "last_failure_at": 1644262937466,
                    "last_failure_msg": 1644262937466,
                },
                "messages": {
                    "acknowledged_count": 312,
                    "last_success_at": 1644616838173,
                    "last_failure_at": 1644616818173,
                    "missed": ["fb445832-50f7-4471-a0a9-d0def6d5951f"],
                    "missed_count": 1,
                },
                "notify_url": "https://myapp.io/deletion/listener",
                "liveness_url": "https://myapp.io/live",
            },
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                }
            },
        },
        "queue-listeners/get-a-listener-by-id.md",
    ),
    ("2022-05", "GET", "/listeners"): (
        {
            "listeners": [
                {"id": "0644659f-b47b-4668-86dd-a496cb7fbc76", "name": "myapp.io/delete-user-listener-64fae19"}
            ],
            "_embedded": {
                "listeners": [
                    {
                        "id": "string",
                        "name": "string",
                        "liveness": {
                            "state": "stable",
                            "success_count": 1,
                            "last_success_at": 1644262937466,
                            "failure_count": 1,
                            "last_failure_status": 500,
                            "last_failure_at": 1644262937466,
                            "last_failure_msg": 1644262937466,
                        },
                        "messages": {
                            "acknowledged_count": 312,
                            "last_success_at": 1644616838173,
                            "last_failure_at": 1644616818173,
                            "missed": ["fb445832-50f7-4471-a0a9-d0def6d5951f"],
                            "missed_count": 1,
                        },
                        "notify_url": "https://myapp.io/deletion/listener",
                        "liveness_url": "https://myapp.io/live",
                    }
                ]
            },
            "_links": {
                "self": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners",
                "myapp.io/delete-user-listener-64fae19": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                },
            },
        },
        "queue-listeners/get-all-listeners.md",
    ),
    ("2022-05", "GET", "/queues/{queue_id}/listeners"): (
        {
            "listeners": [
                {"id": "0644659f-b47b-4668-86dd-a496cb7fbc76", "name": "myapp.io/delete-user-listener-64fae19"}
            ],
            "_embedded": {
                "listeners": [
                    {
                        "id": "string",
                        "name": "string",
                        "liveness": {
                            "state": "stable",
                            "success_count": 1,
                            "last_success_at": 1644262937466,
                            "failure_count": 1,
                            "last_failure_status": 500,
                            "last_failure_at": 1644262937466,
                            "last_failure_msg": 1644262937466,
                        },
                        "messages": {
                            "acknowledged_count": 312,
                            "last_success_at": 1644616838173,
                            "last_failure_at": 1644616818173,
                            "missed": ["fb445832-50f7-4471-a0a9-d0def6d5951f"],
                            "missed_count": 1,
                        },
                        "notify_url": "https://myapp.io/deletion/listener",
                        "liveness_url": "https://myapp.io/live",
                    }
                ]
            },
            "_links": {
                "self": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners",
                "myapp.io/delete-user-listener-64fae19": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                },
            },
        },
        "queue-listeners/get-all-queue-listeners-by-id.md",
    ),
    ("2022-05", "PUT", "/queues/{queue_id}/listeners/{listener_id}"): (
        {
            "listener": {"id": "string", "name": "string"},
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                }
            },
        },
        "queue-listeners/update-a-listener-by-id.md",
    ),
    ("2022-05", "POST", "/queues/{queue_id}/messages"): (
        {
            "message": {"id": "string", "name": "string"},
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                }
            },
        },
        "queue-messages/add-a-message-to-a-queue.md",
    ),
    ("2022-05", "DELETE", "/queues/{queue_id}/messages/{message_id}"): (
        None,
        "queue-messages/delete-a-message-by-id.md",
    ),
    ("2022-05", "GET", "/queues/{queue_id}/messages/{message_id}"): (
        {
            "message": {"id": "string", "name": "string"},
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                }
            },
        },
        "queue-messages/get-a-message-by-id.md",
    ),
    ("2022-05", "GET", "/messages"): (
        {
            "messages": [{"id": "string", "name": "string"}],
            "_embedded": {"messages": [{"id": "string", "name": "string"}]},
            "_links": {
                "self": {"href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages"},
                "myapp.io/delete-user-message-24abcd9": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                },
            },
        },
        "queue-messages/get-all-messages.md",
    ),
    ("2022-05", "GET", "/queues/{queue_id}/messages"): (
        {
            "messages": [{"id": "string", "name": "string"}],
            "_embedded": {"messages": [{"id": "string", "name": "string"}]},
            "_links": {
                "self": {"href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages"},
                "myapp.io/delete-user-message-24abcd9": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                },
            },
        },
        "queue-messages/get-messages-by-queue-id.md",
    ),
    ("2022-05", "PUT", "/queues/{queue_id}/messages/{message_id}"): (
        {
            "message": {"id": "string", "name": "string"},
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                }
            },
        },
        "queue-messages/update-a-message-by-id.md",
    ),
    ("2022-05", "POST", "/queues"): (
        {
            "queue": {"id": "string", "name": "string", "listeners": [{"id": "string", "name": "string"}]},
            "_links": {
                "self": {"href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386"},
                "myapp.io/delete-user-listener-64fae19": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                },
            },
        },
        "queues/create-a-queue.md",
    ),
    ("2022-05", "DELETE", "/queues/{queue_id}"): (None, "queues/delete-a-queue-by-id.md"),
    ("2022-05", "GET", "/queues/{queue_id}"): (
        {
            "queue": {"id": "string", "name": "string", "listeners": [{"id": "string", "name": "string"}]},
            "_links": {
                "self": {"href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386"},
                "myapp.io/delete-user-listener-64fae19": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                },
            },
        },
        "queues/get-a-queue-by-id.md",
    ),
    ("2022-05", "GET", "/queues"): (
        {
            "queues": [{"id": "180994c-b6b2-4d0e-b7ad-414716e83386", "name": "myapp.io/delete-user-queue"}],
            "_links": {
                "self": {"href": "https://api.discue.io/queues"},
                "myapp.io/delete-user-queue": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386"
                },
            },
        },
        "queues/get-all-queues.md",
    ),
    ("2022-05", "PUT", "/queues/{queue_id}"): (
        {
            "queue": {"id": "string", "name": "string", "listeners": [{"id": "string", "name": "string"}]},
            "_links": {
                "self": {"href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386"},
                "myapp.io/delete-user-listener-64fae19": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                },
            },
        },
        "queues/update-a-queue-by-id.md",
    ),
    ("2023-04", "POST", "/api_keys"): (
        {
            "api_key": "EPLPXwVOdhCxc4lylNpMeDM0_GhnCAZg3tFrWtZbb0cYQ7NCyRVfaN-O9rItf5kw",
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                }
            },
        },
        "api-keys/create-an-api-key.md",
    ),
    ("2023-04", "DELETE", "/api_keys/{api_key_id}"): (None, "api-keys/delete-an-api-key-by-id.md"),
    ("2023-04", "GET", "/api_keys"): (
        {
            "api_keys": [
                {
                    "id": "string",
                    "name": "string",
                    "created_at": 1644616838173,
                    "updated_at": 1644616838173,
                    "last_used_at": 1644616838173,
                    "key": "ep1",
                    "status": "disabled",
                    "scopes": [{"resource": "queues", "access": "write", "targets": ["_A36cABAOqhBdNeZeXB0l"]}],
                }
            ],
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                }
            },
        },
        "api-keys/get-all-api-keys.md",
    ),
    ("2023-04", "GET", "/api_keys/{api_key_id}"): (
        {
            "api_key": {
                "id": "string",
                "name": "string",
                "created_at": 1644616838173,
                "updated_at": 1644616838173,
                "last_used_at": 1644616838173,
                "key": "ep1",
                "status": "disabled",
                "scopes": [{"resource": "queues", "access": "write", "targets": ["_A36cABAOqhBdNeZeXB0l"]}],
            },
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                }
            },
        },
        "api-keys/get-an-api-key-by-id.md",
    ),
    ("2023-04", "PUT", "/api_keys/{api_key_id}"): (None, "api-keys/update-an-api-key-by-id.md"),
    ("2023-04", "POST", "/api_clients"): (
        {
            "api_client": {"id": "5bc2be68-7498-4853-aa64-4be0ca62934e", "name": "example.com/dev"},
            "_links": {"self": {"href": "https://api.discue.io/api_clients/5bc2be68-7498-4853-aa64-4be0ca62934e"}},
        },
        "organizations/create-an-api-client.md",
    ),
    ("2023-04", "PUT", "/api_clients/{api_client_id}"): (
        {
            "api_client": {"id": "5bc2be68-7498-4853-aa64-4be0ca62934e", "name": "example.com/dev"},
            "_links": {"self": {"href": "https://api.discue.io/api_clients/5bc2be68-7498-4853-aa64-4be0ca62934e"}},
        },
        "organizations/update-an-api-client.md",
    ),
    ("2023-04", "POST", "/queues/{queue_id}/listeners"): (
        {
            "listener": {"id": "string", "name": "string"},
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                }
            },
        },
        "queue-listeners/add-a-listener-to-a-queue.md",
    ),
    ("2023-04", "DELETE", "/queues/{queue_id}/listeners/{listener_id}"): (
        None,
        "queue-listeners/delete-a-listener-by-id.md",
    ),
    ("2023-04", "GET", "/queues/{queue_id}/listeners/{listener_id}"): (
        {
            "listener": {
                "id": "string",
                "name": "string",
                "liveness": {"state": "stable", "success_count": 1, "failure_count": 1},
                "messages": {
                    "acknowledged_count": 312,
                    "missed": ["fb445832-50f7-4471-a0a9-d0def6d5951f"],
                    "missed_count": 1,
                },
                "notify_url": "https://myapp.io/deletion/listener",
                "liveness_url": "https://myapp.io/live",
            },
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                }
            },
        },
        "queue-listeners/get-a-listener-by-id.md",
    ),
    ("2023-04", "GET", "/listeners"): (
        {
            "listeners": [
                {
                    "id": "string",
                    "name": "string",
                    "liveness": {"state": "stable", "success_count": 1, "failure_count": 1},
                    "messages": {
                        "acknowledged_count": 312,
                        "missed": ["fb445832-50f7-4471-a0a9-d0def6d5951f"],
                        "missed_count": 1,
                    },
                    "notify_url": "https://myapp.io/deletion/listener",
                    "liveness_url": "https://myapp.io/live",
                }
            ],
            "_links": {
                "self": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners",
                "myapp.io/delete-user-listener-64fae19": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                },
            },
        },
        "queue-listeners/get-all-listeners.md",
    ),
    ("2023-04", "GET", "/queues/{queue_id}/listeners"): (
        {
            "listeners": [
                {
                    "id": "string",
                    "name": "string",
                    "liveness": {"state": "stable", "success_count": 1, "failure_count": 1},
                    "messages": {
                        "acknowledged_count": 312,
                        "missed": ["fb445832-50f7-4471-a0a9-d0def6d5951f"],
                        "missed_count": 1,
                    },
                    "notify_url": "https://myapp.io/deletion/listener",
                    "liveness_url": "https://myapp.io/live",
                }
            ],
            "_links": {
                "self": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners",
                "myapp.io/delete-user-listener-64fae19": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                },
            },
        },
        "queue-listeners/get-all-queue-listeners-by-id.md",
    ),
    ("2023-04", "PUT", "/queues/{queue_id}/listeners/{listener_id}"): (
        {
            "listener": {"id": "string", "name": "string"},
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                }
            },
        },
        "queue-listeners/update-a-listener-by-id.md",
    ),
    ("2023-04", "POST", "/queues/{queue_id}/messages"): (
        {
            "message": {"id": "string", "name": "string"},
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                }
            },
        },
        "queue-messages/add-a-message-to-a-queue.md",
    ),
    ("2023-04", "DELETE", "/queues/{queue_id}/messages/{message_id}"): (
        None,
        "queue-messages/delete-a-message-by-id.md",
    ),
    ("2023-04", "GET", "/queues/{queue_id}/messages/{message_id}"): (
        {
            "message": {"id": "string", "name": "string"},
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                }
            },
        },
        "queue-messages/get-a-message-by-id.md",
    ),
    ("2023-04", "GET", "/messages"): (
        {
            "messages": [{"id": "string", "name": "string"}],
            "_links": {
                "self": {"href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages"},
                "myapp.io/delete-user-message-24abcd9": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                },
            },
        },
        "queue-messages/get-all-messages.md",
    ),
    ("2023-04", "GET", "/queues/{queue_id}/messages"): (
        {
            "messages": [{"id": "string", "name": "string"}],
            "_links": {
                "self": {"href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages"},
                "myapp.io/delete-user-message-24abcd9": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                },
            },
        },
        "queue-messages/get-messages-by-queue-id.md",
    ),
    ("2023-04", "PUT", "/queues/{queue_id}/messages/{message_id}"): (
        {
            "message": {"id": "string", "name": "string"},
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/messages/8476f9ea-e457-4fed-8fbd-347a96237a96"
                }
            },
        },
        "queue-messages/update-a-message-by-id.md",
    ),
    ("2023-04", "GET", "/queues/{queue_id}/schemas/{schema_id}"): (
        {
            "schema": {
                "person": {
                    "type": "object",
                    "props": {
                        "firstName": {"type": "string"},
                        "secondName": {"type": "string"},
                        "postcode": {"type": "number"},
                    },
                }
            },
            "_links": {
                "self": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/schema/0644659fb47b466886dda496cb7fbc76skemfndj12m3"
                }
            },
        },
        "queue-schemas/get-a-schema-by-id.md",
    ),
    ("2023-04", "POST", "/queues"): (
        {
            "queue": {
                "id": "string",
                "name": "string",
                "schema": {
                    "person": {
                        "type": "object",
                        "props": {
                            "name": {"type": "string", "pattern": "abc", "required": True},
                            "street": {"type": "string", "min": 5, "max": 10},
                            "city": {"type": "string", "enum": ["Berlin"]},
                        },
                    },
                    "count": {"type": "number", "min": 0, "max": 15, "required": False},
                    "list": {"type": "array", "items": {"type": "string", "pattern": "abc", "required": True}},
                },
            },
            "_links": {
                "self": {"href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386"},
                "myapp.io/delete-user-listener-64fae19": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                },
            },
        },
        "queues/create-a-queue.md",
    ),
    ("2023-04", "DELETE", "/queues/{queue_id}"): (None, "queues/delete-a-queue-by-id.md"),
    ("2023-04", "GET", "/queues/{queue_id}"): (
        {
            "queue": {
                "id": "string",
                "name": "string",
                "schema": {
                    "person": {
                        "type": "object",
                        "props": {
                            "name": {"type": "string", "pattern": "abc", "required": True},
                            "street": {"type": "string", "min": 5, "max": 10},
                            "city": {"type": "string", "enum": ["Berlin"]},
                        },
                    },
                    "count": {"type": "number", "min": 0, "max": 15, "required": False},
                    "list": {"type": "array", "items": {"type": "string", "pattern": "abc", "required": True}},
                },
            },
            "_links": {
                "self": {"href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386"},
                "myapp.io/delete-user-listener-64fae19": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                },
            },
        },
        "queues/get-a-queue-by-id.md",
    ),
    ("2023-04", "GET", "/queues"): (
        {
            "queues": [{"id": "180994c-b6b2-4d0e-b7ad-414716e83386", "name": "myapp.io/delete-user-queue"}],
            "_links": {
                "self": {"href": "https://api.discue.io/queues"},
                "myapp.io/delete-user-queue": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386"
                },
            },
        },
        "queues/get-all-queues.md",
    ),
    ("2023-04", "PUT", "/queues/{queue_id}"): (
        {
            "queue": {
                "id": "string",
                "name": "string",
                "schema": {
                    "person": {
                        "type": "object",
                        "props": {
                            "name": {"type": "string", "pattern": "abc", "required": True},
                            "street": {"type": "string", "min": 5, "max": 10},
                            "city": {"type": "string", "enum": ["Berlin"]},
                        },
                    },
                    "count": {"type": "number", "min": 0, "max": 15, "required": False},
                    "list": {"type": "array", "items": {"type": "string", "pattern": "abc", "required": True}},
                },
            },
            "_links": {
                "self": {"href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386"},
                "myapp.io/delete-user-listener-64fae19": {
                    "href": "https://api.discue.io/queues/180994c-b6b2-4d0e-b7ad-414716e83386/listeners/0644659f-b47b-4668-86dd-a496cb7fbc76"
                },
            },
        },
        "queues/update-a-queue-by-id.md",
    ),
    ("2023-04", "GET", "/stats/messages"): (
        {
            "aggregated_api_usage_events": {
                "last_24_hours": {
                    "api_key_added": 0,
                    "api_key_updated": 0,
                    "api_key_deleted": 0,
                    "queue_added": 0,
                    "queue_updated": 0,
                    "queue_deleted": 0,
                    "listener_added": 0,
                    "listener_updated": 0,
                    "listener_deleted": 0,
                    "message_added": 0,
                    "message_published_ok": 0,
                    "message_published_not_ok": 0,
                },
                "last_1_hours": {
                    "api_key_added": 0,
                    "api_key_updated": 0,
                    "api_key_deleted": 0,
                    "queue_added": 0,
                    "queue_updated": 0,
                    "queue_deleted": 0,
                    "listener_added": 0,
                    "listener_updated": 0,
                    "listener_deleted": 0,
                    "message_added": 0,
                    "message_published_ok": 0,
                    "message_published_not_ok": 0,
                },
                "today_so_far": {
                    "api_key_added": 0,
                    "api_key_updated": 0,
                    "api_key_deleted": 0,
                    "queue_added": 0,
                    "queue_updated": 0,
                    "queue_deleted": 0,
                    "listener_added": 0,
                    "listener_updated": 0,
                    "listener_deleted": 0,
                    "message_added": 0,
                    "message_published_ok": 0,
                    "message_published_not_ok": 0,
                },
            },
            "_links": {"self": {"href": "https://api.discue.io/messages/stats"}},
        },
        "stats/get-all-message-stats.md",
    ),
    ("2023-04", "GET", "/events"): (
        {
            "events": [
                {
                    "id": "string",
                    "type": "api_key_added",
                    "stored_at": 1657027948150,
                    "client": {"id": "string"},
                    "message": {"id": "string", "name": "string"},
                    "api_key": {"id": "string", "name": "string"},
                    "queue": {"id": "string", "name": "string"},
                    "listener": {"id": "string", "name": "string"},
                }
            ],
            "_links": {"self": {"href": "https://api.discue.io/events"}},
        },
        "usage-events/get-events.md",
    ),
}
