"""Every noun in the 2023-04 and 2024-08 generations, against stubs whose replies are copied from
discue's API docs of April 2023 and the Terraform provider's API
(docs/generations.md; 2022-05 runs against the local discue elsewhere).
httpmock fails a test on any request no stub answers and on any stub never called, so each test also
pins exactly which requests a command sends."""

from __future__ import annotations

import pytest

from tests import stubs
from tests.commands.helpers import make_queue
from tests.stubs import M, expect

api = stubs.api  # the fixture


def test_messages_list_without_embedded_when_embed_is_asked_in_2023_04(api, httpmock):
    full = {"messages": [{"id": M, "name": None, "data": "hello"}]}
    stub = expect(httpmock, "GET", "/messages", full)
    expect(httpmock, "GET", "/queues", {"queues": []})  # for the QUEUE column of a listing across queues
    assert api("messages", "list", "--embed", gen="2023-04").stdout == f"{M}\t\t\thello\n"
    assert "_embed" not in str(stub.calls[0].url)  # the parameter is gone since 2023-04


# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def test_message_list_piped_and_on_a_terminal(local, tty):
    make_queue(local)
    message_id = local("messages", "add", "orders", "hello", "-q").stdout.strip()
    result = local("messages", "list", "orders")
    assert result.stdout == f"ID                                    NAME\n{message_id}  -\n"


def test_message_list_piped(local):
    make_queue(local)
    first = local("messages", "add", "orders", "one", "-q").stdout.strip()
    second = local("messages", "add", "orders", "two", "-q").stdout.strip()
    assert local("messages", "list", "orders").stdout == f"{first}\t\n{second}\t\n"
    embedded = local("messages", "list", "--embed").stdout.splitlines()
    assert embedded == [f"{first}\t\torders", f"{second}\t\torders"]


def test_message_names_with_tabs_and_newlines_stay_on_one_tsv_line(local):
    make_queue(local)
    message_id = local("messages", "add", "orders", "x", "-q").stdout.strip()
    local("messages", "update", "orders", message_id, "--name", "a\tb\nc")
    assert local("messages", "list", "orders", "--embed").stdout == f"{message_id}\ta\\tb\\nc\n"


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
