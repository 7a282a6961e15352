"""Listings across queues say which queue each row is on; --limit on every list."""

from __future__ import annotations

import json

import pytest

from tests.conftest import LISTENER_URLS

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def two_mailers(local) -> tuple[str, str]:
    for queue in ("orders", "billing"):
        local("queues", "create", queue)
    first = local("listeners", "add", "orders", "mailer", *LISTENER_URLS, "-q").stdout.strip()
    second = local("listeners", "add", "billing", "mailer", *LISTENER_URLS, "-q").stdout.strip()
    return first, second


def test_all_listeners_piped_carry_the_queue_name_third(local):
    first, second = two_mailers(local)
    assert local("listeners", "list").stdout == f"{first}\tmailer\torders\n{second}\tmailer\tbilling\n"
    assert local("listeners", "list", "orders").stdout == f"{first}\tmailer\n"  # one queue: no column


def test_all_listeners_on_a_terminal_have_a_queue_column(local, tty):
    first, second = two_mailers(local)
    assert local("listeners", "list").stdout == (
        f"ID                                    NAME    QUEUE\n{first}  mailer  orders\n{second}  mailer  billing\n"
    )


def test_json_and_ids_of_all_listeners_are_unchanged(local):
    first, second = two_mailers(local)
    body = json.loads(local("listeners", "list", "--json").stdout)
    assert body["listeners"] == [{"id": first, "name": "mailer"}, {"id": second, "name": "mailer"}]
    assert local("listeners", "list", "-q").stdout == f"{first}\n{second}\n"


def test_all_messages_piped_carry_the_queue_name(local):
    local("queues", "create", "orders")
    message_id = local("messages", "add", "orders", "hello", "-q").stdout.strip()
    assert local("messages", "list").stdout == f"{message_id}\t\torders\n"


def test_messages_on_a_terminal_show_their_queue(local, tty):
    """The docs' messages are `{id, name}`: no data or time to show (the local discue sends none either)."""
    local("queues", "create", "orders")
    first = local("messages", "add", "orders", "hello", "-q").stdout.strip()
    second = local("messages", "add", "orders", '{"userId": "481512342"}', "-q").stdout.strip()
    result = local("messages", "list", env={"COLUMNS": "140"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"ID                                    NAME  QUEUE\n{first}  -     orders\n{second}  -     orders\n"
    )
    one_queue = local("messages", "list", "orders", env={"COLUMNS": "140"}).stdout.splitlines()
    assert one_queue[0].split() == ["ID", "NAME"]


@pytest.mark.parametrize("noun", ["queues", "listeners", "messages"])
def test_limit_on_every_list(local, noun):
    for queue in ("a", "b", "c"):
        local("queues", "create", queue)
        local("listeners", "add", queue, "mailer", *LISTENER_URLS)
        local("messages", "add", queue, "hello")
    everything = local(noun, "list", "-q").stdout.splitlines()
    assert len(everything) == 3
    assert local(noun, "list", "--limit", "2", "-q").stdout.splitlines() == everything[:2]
    assert len(local(noun, "list", "--limit", "2").stdout.splitlines()) == 2
    embed = [] if noun == "queues" else ["--embed"]  # GET /queues never took `_embed`
    body = json.loads(local(noun, "list", "--limit", "1", *embed, "--json").stdout)
    assert [item["id"] for item in body[noun]] == everything[:1]
    if embed:
        assert [item["id"] for item in body["_embedded"][noun]] == everything[:1]
    result = local(noun, "list", "--limit", "0")
    assert result.exit_code == 2
    assert "--limit" in result.stderr


# -- against replies shaped exactly as the 2023-04 docs show them (no queue on a listener)

DOCS_LISTENER = {
    "liveness": {"state": "stable", "success_count": 1, "failure_count": 1},
    "messages": {"acknowledged_count": 312, "missed": [], "missed_count": 0},
    "notify_url": "https://myapp.io/deletion/listener",
    "liveness_url": "https://myapp.io/live",
}


def docs_listeners(queue_id: str, *items: tuple[str, str]) -> dict:
    """GET /queues/{id}/listeners as the docs print it (`_links.self` a plain string there)."""
    links = {name: {"href": f"https://api.discue.io/queues/{queue_id}/listeners/{i}"} for i, name in items}
    return {
        "listeners": [{"id": i, "name": name, **DOCS_LISTENER} for i, name in items],
        "_links": {"self": f"https://api.discue.io/queues/{queue_id}/listeners", **links},
    }


@pytest.fixture
def two_queues_in_the_docs_shape(httpmock):
    from tests.stubs import L, M, Q, expect, queues_reply

    expect(httpmock, "GET", "/queues", queues_reply("2023-04", (Q, "orders"), (M, "billing")))
    expect(httpmock, "GET", f"/queues/{Q}/listeners", docs_listeners(Q, (L, "mailer")))
    expect(httpmock, "GET", f"/queues/{M}/listeners", docs_listeners(M, ("x" * 21, "mailer")))
    return L, "x" * 21


def docs_cli(cli, *args: str, **kwargs):
    from tests.stubs import ENDPOINT, KEY

    return cli("--api-endpoint", ENDPOINT, "--api-key", KEY, "--api-version", "2023-04", *args, **kwargs)


def test_all_listeners_name_their_queue_from_per_queue_lists_piped(cli, two_queues_in_the_docs_shape):
    first, second = two_queues_in_the_docs_shape
    result = docs_cli(cli, "listeners", "list")
    assert (result.exit_code, result.stderr) == (0, "")
    rest = (
        '{"state":"stable","success_count":1,"failure_count":1}\t'
        '{"acknowledged_count":312,"missed":[],"missed_count":0}\t'
        "https://myapp.io/deletion/listener\thttps://myapp.io/live"
    )
    assert result.stdout == f"{first}\tmailer\torders\t{rest}\n{second}\tmailer\tbilling\t{rest}\n"


def test_all_listeners_on_a_terminal_have_a_queue_column_without_queue_ids(cli, tty, two_queues_in_the_docs_shape):
    first, second = two_queues_in_the_docs_shape
    result = docs_cli(cli, "listeners", "list", env={"COLUMNS": "200"})
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "QUEUE", "LIVENESS", "MESSAGES", "NOTIFY_URL", "LIVENESS_URL"]
    assert [line.split()[:3] for line in lines[1:]] == [[first, "mailer", "orders"], [second, "mailer", "billing"]]
