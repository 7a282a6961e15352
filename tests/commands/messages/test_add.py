"""Every noun in the 2023-04 and 2024-08 generations, against stubs whose replies are copied from
discue's API docs of April 2023 and the Terraform provider's API
(docs/generations.md; 2022-05 runs against the local discue elsewhere).
httpmock fails a test on any request no stub answers and on any stub never called, so each test also
pins exactly which requests a command sends."""

from __future__ import annotations

import json
import os

import pytest

from discue_cli.settings import local_db_path
from tests import stubs
from tests.commands.helpers import make_queue
from tests.conftest import UUID
from tests.emulator.stored import data_of
from tests.stubs import NAME, M, Q, expect, named

api = stubs.api  # the fixture


BOTH = pytest.mark.parametrize("gen", ["2023-04", "2024-08"])


@BOTH
def test_messages_add_with_a_name_list_get_update_delete(api, httpmock, gen):
    reply = {"message": named(gen, M, "m-1")}
    expect(httpmock, "POST", f"/queues/{Q}/messages", reply, {NAME[gen]: "m-1", "data": '{"id": 1}'})
    assert api("messages", "add", Q, '{"id": 1}', "--name", "m-1", "-q", gen=gen).stdout == f"{M}\n"
    expect(httpmock, "GET", f"/queues/{Q}/messages", {"messages": [named(gen, M, "m-1")]})
    assert api("messages", "list", Q, gen=gen).stdout == f"{M}\tm-1\n"
    expect(httpmock, "GET", f"/queues/{Q}/messages/{M}", reply)
    assert api("messages", "get", Q, M, "-q", gen=gen).stdout == f"{M}\n"
    expect(httpmock, "PUT", f"/queues/{Q}/messages/{M}", {"message": named(gen, M, "m-2")}, {NAME[gen]: "m-2"})
    assert api("messages", "update", Q, M, "--name", "m-2", gen=gen).stdout == f"{M}\tm-2\n"
    expect(httpmock, "GET", f"/queues/{Q}/messages/{M}", reply)
    expect(httpmock, "DELETE", f"/queues/{Q}/messages/{M}", {"_links": {}})
    assert api("messages", "delete", Q, M, "--yes", "-q", gen=gen).stdout == f"{M}\n"


# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def stored() -> list[str]:
    """The data of the --local database's messages: no API reply shows a message's data."""
    from discue_cli.settings import local_db_path
    from tests.emulator.stored import stored_data

    return stored_data(local_db_path(os.environ))


def test_message_add_by_queue_name_sends_data_as_is(local):
    queue_id = make_queue(local)
    result = local("messages", "add", "orders", '{"id": 1}', "--json")
    body = json.loads(result.stdout)
    assert body["message"] == {"id": body["message"]["id"], "name": None}  # the docs' {id, name}
    assert stored() == ['{"id": 1}']
    message_id = body["message"]["id"]
    assert local("messages", "get", "orders", message_id, "--jq", ".message.id").stdout == f"{message_id}\n"
    assert local("messages", "list", queue_id, "-q").stdout == f"{message_id}\n"


def test_message_data_file_and_stdin(local, tmp_path):
    make_queue(local)
    (tmp_path / "msg.json").write_text('{"userId": "481512342"}\n')
    assert local("messages", "add", "orders", "--data-file", "msg.json", "-q").exit_code == 0
    assert local("messages", "add", "orders", "--data-file", "-", "-q", input="tab\there\n").exit_code == 0
    assert stored() == ['{"userId": "481512342"}', "tab\there"]


def test_message_add_needs_exactly_one_source(local):
    make_queue(local)
    result = local("messages", "add", "orders")
    assert (result.exit_code, result.stderr) == (2, "Error: give exactly one of DATA, --data-file or --batch\n")
    result = local("messages", "add", "orders", "x", "--data-file", "f")
    assert result.exit_code == 2


def test_message_unreadable_file_exit_2(local):
    make_queue(local)
    result = local("messages", "add", "orders", "--data-file", "missing.txt")
    assert (result.exit_code, result.stderr) == (2, "Error: cannot read missing.txt: No such file or directory\n")
    assert local("messages", "list").stdout == ""


def test_message_add_on_a_terminal_and_piped(local, tty):
    make_queue(local)
    lines = local("messages", "add", "orders", "hello").stdout.splitlines()
    message_id = lines[0].split()[1]
    assert lines == [f"id    {message_id}", "name  -"]


def test_message_add_piped(local):
    make_queue(local)
    fields = local("messages", "add", "orders", "hello").stdout.rstrip("\n").split("\t")
    assert UUID.fullmatch(fields[0]) and fields[1:] == [""]


@pytest.fixture
def orders(local):
    assert local("queues", "create", "orders").exit_code == 0


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ("{bad json", "line 1 column 2: Expecting property name enclosed in double quotes"),
        ("  [1, 2", "line 1 column 8: Expecting ',' delimiter"),
        ('{"id": 1}}', "line 1 column 10: Extra data"),
    ],
)
def test_data_that_starts_like_json_but_is_not_is_sent_with_a_warning(local, orders, data, where):
    result = local("messages", "add", "orders", data, "--json")
    assert result.exit_code == 0
    assert result.stderr == (
        f"Warning: the data starts like JSON but is not valid JSON ({where}); it is sent as text, as given\n"
    )
    message_id = json.loads(result.stdout)["message"]["id"]
    assert data_of(local_db_path(os.environ), message_id) == data  # the API shows no data: read the database


@pytest.mark.parametrize("data", ['{"id": 1}', "[1, 2]", "plain text", "not {json", " [true]"])
def test_json_and_plain_text_get_no_warning(local, orders, data):
    result = local("messages", "add", "orders", data, "--json")
    assert (result.exit_code, result.stderr) == (0, "")


def test_a_data_file_that_starts_like_json_but_is_not_warns_too(local, orders, tmp_path):
    (tmp_path / "data.json").write_text('{"cut": ')
    result = local("messages", "add", "orders", "--data-file", str(tmp_path / "data.json"), "-q")
    assert result.exit_code == 0
    assert result.stderr.startswith("Warning: the data starts like JSON but is not valid JSON (line 1 column 9")
