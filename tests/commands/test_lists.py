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


def test_messages_on_a_terminal_show_their_queue_and_a_data_preview(local, tty):
    local("queues", "create", "orders")
    long_data = '{"userId": "481512342", "reason": "the user asked\\nfor it", "more": "' + "x" * 60 + '"}'
    first = local("messages", "add", "orders", "hello", "-q").stdout.strip()
    second = local("messages", "add", "orders", long_data, "-q").stdout.strip()
    stored = json.loads(local("messages", "list", "--embed", "--json").stdout)["_embedded"]["messages"]
    from discue_cli.output.formats import timestamp

    times = [timestamp(m["created_at"]) for m in stored]
    result = local("messages", "list", env={"COLUMNS": "140"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "ID                                    NAME  QUEUE   DATA                                     CREATED_AT\n"
        f"{first}  -     orders  hello                                    {times[0]}\n"
        f'{second}  -     orders  {{"userId": "481512342", "reason": "the…  {times[1]}\n'
    )
    one_queue = local("messages", "list", "orders", env={"COLUMNS": "140"}).stdout.splitlines()
    assert one_queue[0].split() == ["ID", "NAME", "DATA", "CREATED_AT"]


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
    body = json.loads(local(noun, "list", "--limit", "1", "--embed", "--json").stdout)
    assert [item["id"] for item in body[noun]] == everything[:1]
    assert [item["id"] for item in body["_embedded"][noun]] == everything[:1]
    result = local(noun, "list", "--limit", "0")
    assert result.exit_code == 2
    assert "--limit" in result.stderr
