"""Every noun against the local discue in each generation it serves, through the real app: what a user
meets on their first commands."""

from __future__ import annotations

import pytest

from tests.conftest import LISTENER_URLS

SERVED = ["2022-05", "2023-04", "2024-08"]


@pytest.fixture(params=SERVED)
def gen_local(request, local):
    def invoke(*args: str, **kwargs):
        return local("--api-version", request.param, *args, **kwargs)

    invoke.gen = request.param
    return invoke


def ok(result) -> str:
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_every_noun(gen_local):
    newer = gen_local.gen != "2022-05"
    schema = ("--schema", '{"userId": {"type": "string"}}') if newer else ()
    queue_id = ok(gen_local("queues", "create", "orders", *schema, "-q")).strip()
    assert ok(gen_local("queues", "create", "orders", "--if-not-exists", "-q")) == f"{queue_id}\n"
    assert ok(gen_local("queues", "list")).startswith(f"{queue_id}\torders")
    assert ok(gen_local("queues", "get", "orders", "-q")) == f"{queue_id}\n"

    listener_id = ok(gen_local("listeners", "add", "orders", "mailer", *LISTENER_URLS, "-q")).strip()
    again = gen_local("listeners", "add", "orders", "mailer", *LISTENER_URLS, "--if-not-exists", "-q")
    assert ok(again) == f"{listener_id}\n"
    assert ok(gen_local("listeners", "list", "orders", "-q")) == f"{listener_id}\n"
    assert ok(gen_local("listeners", "update", "orders", "mailer", "--name", "sender")).rstrip("\n").split("\t")[
        :2
    ] == [
        listener_id,
        "sender",
    ]

    name = ("--name", "m-1") if newer else ()
    message_id = ok(gen_local("messages", "add", "orders", '{"userId": "481512342"}', *name, "-q")).strip()
    assert ok(gen_local("messages", "get", "orders", message_id, "-q")) == f"{message_id}\n"
    assert ok(gen_local("messages", "update", "orders", message_id, "--name", "m-2")).rstrip("\n").split("\t")[:2] == [
        message_id,
        "m-2",
    ]
    assert ok(gen_local("messages", "delete", "orders", message_id, "--yes", "-q")) == f"{message_id}\n"

    scope = ("--scope", "queues:write") if newer else ()
    created = ok(gen_local("api-keys", "create", "--name", "ci", *scope))
    key_id = created.split("\t")[0]
    assert key_id and len(created.rstrip("\n").split("\t")) >= 3
    assert ok(gen_local("api-keys", "get", key_id, "-q")) == f"{key_id}\n"
    assert ok(gen_local("api-keys", "update", key_id, "--status", "disabled", "-q")) == f"{key_id}\n"
    assert ok(gen_local("api-keys", "delete", key_id, "--yes", "-q")) == f"{key_id}\n"
    ok(gen_local("api-clients", "create", "example.com/dev"))

    if newer:
        assert ok(gen_local("stats")).startswith("api_key_added\t")
        assert "\tqueue_added\t" in ok(gen_local("events"))
    else:
        assert gen_local("stats").exit_code == 2
    if gen_local.gen == "2024-08":
        domain_id = ok(gen_local("domains", "create", "hooks", "--hostname", "hooks.myapp.io", "-q")).strip()
        assert ok(gen_local("domains", "get", "hooks", "-q")) == f"{domain_id}\n"
        assert ok(gen_local("domains", "delete", "hooks", "--yes", "-q")) == f"{domain_id}\n"
    else:
        assert gen_local("domains", "list").exit_code == 2

    assert ok(gen_local("listeners", "delete", "orders", "sender", "--yes", "-q")) == f"{listener_id}\n"
    assert ok(gen_local("queues", "delete", "orders", "--yes", "-q")) == f"{queue_id}\n"
