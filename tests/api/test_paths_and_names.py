"""Ids are single path segments (never a way to reach another resource), names that match several resources,
and errors that say which resource they are about; --local and over real HTTP on loopback."""

from __future__ import annotations

import pytest

from tests import stubs
from tests.conftest import LISTENER_URLS
from tests.stubs import L, Q, expect

api = stubs.api  # the fixture
ZERO = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(params=["local", "remote"])
def discue(request):
    """The CLI against the local discue in process, and against `emulator serve` over HTTP."""
    return request.getfixturevalue(request.param)


def queue(discue, name: str) -> str:
    result = discue("queues", "create", name, "-q")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_a_message_id_cannot_climb_to_rename_another_queue(discue):
    queue(discue, "victim-a")
    victim_b = queue(discue, "victim-b")
    result = discue("messages", "update", "victim-a", f"../../{victim_b}", "--name", "renamed")
    assert (result.exit_code, result.stdout) == (4, "")
    hint = f"Hint: there is no message '../../{victim_b}' in queue 'victim-a'\n"
    assert result.stderr == f"Error: Not Found (404)\n{hint}"
    assert discue("queues", "get", victim_b, "--jq", ".queue.name").stdout == "victim-b\n"


def test_an_api_key_id_cannot_reach_a_listener(discue):
    queue_id = queue(discue, "orders")
    listener_id = discue("listeners", "add", "orders", "mailer", *LISTENER_URLS, "-q").stdout.strip()
    result = discue("api-keys", "update", f"../queues/{queue_id}/listeners/{listener_id}", "--name", "x")
    assert (result.exit_code, result.stdout) == (4, "")
    assert discue("listeners", "get", "orders", listener_id, "--jq", ".listener.name").stdout == "mailer\n"


def test_a_message_id_cannot_list_the_api_keys(discue):
    queue(discue, "orders")
    discue("api-keys", "create", "--name", "ci")
    result = discue("messages", "get", "orders", "../../../api_keys")
    assert (result.exit_code, result.stdout) == (4, "")


@pytest.mark.parametrize(("ref", "shown"), [("..", ".."), (".", "."), ("a\nb", "a\\nb"), ("\x1b[31m", "\\x1b[31m")])
def test_dot_segments_and_control_characters_are_refused_before_any_request(local, ref, shown):
    queue_id = queue(local, "orders")
    result = local("-v", "messages", "get", queue_id, ref)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: message id '{shown}' is not a usable id\nHint: ids are single path segments\n"


def test_an_empty_id_is_refused(local):
    result = local("api-keys", "get", "")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: API key id '' is not a usable id\nHint: ids are single path segments\n",
    )


def test_ids_with_reserved_characters_are_sent_percent_encoded(api, httpmock):
    stub = expect(httpmock, "GET", f"/queues/{Q}/messages/a/b?c#d%", {}, status=404)  # url.path is decoded
    expect(httpmock, "GET", "/queues", {"queues": [{"id": Q, "name": "q"}]})  # is Q a queue's name? (one more call)
    result = api("messages", "get", Q, "a/b?c#d%")
    assert result.exit_code == 4
    assert stub.calls[0].url.raw_path == f"/v1/queues/{Q}/messages/a%2Fb%3Fc%23d%25".encode()


def test_a_404_among_several_deletes_names_the_id_and_the_queue_and_deletes_nothing(local):
    queue(local, "orders")
    good = local("messages", "add", "orders", "x", "-q").stdout.strip()
    result = local("messages", "delete", "orders", good, ZERO, good, "--yes")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr == f"Error: Not Found (404)\nHint: there is no message '{ZERO}' in queue 'orders'\n"
    assert local("messages", "list", "orders", "-q").stdout == f"{good}\n"


def test_deleting_the_same_message_twice_in_one_command_deletes_it_once(local):
    queue(local, "orders")
    good = local("messages", "add", "orders", "x", "-q").stdout.strip()
    result = local("messages", "delete", "orders", good, good, "--yes", "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{good}\n", "")


@pytest.mark.parametrize(
    "args",
    [
        ("queues", "create", ""),
        ("queues", "create", "  "),
        ("queues", "update", "orders", "--name", ""),
        ("listeners", "add", "orders", "", *LISTENER_URLS),
        ("messages", "add", "orders", "x", "--name", ""),
        ("api-keys", "create", "--name", " "),
    ],
)
def test_empty_names_are_refused_locally(local, args):
    queue(local, "orders")
    result = local(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("Error: ") and " is empty\n" in result.stderr
    assert local("queues", "list", "-q").stdout.count("\n") == 1


def test_several_listeners_of_one_name_exit_2_listing_their_ids(api, httpmock):
    twins = [{"id": L, "name": "mailer"}, {"id": "x" * 21, "name": "mailer"}, {"id": "y" * 21, "name": "other"}]
    expect(httpmock, "GET", f"/queues/{Q}/listeners", {"listeners": twins})
    result = api("listeners", "get", Q, "mailer")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: 2 listeners are named 'mailer': {L}, {'x' * 21}\nHint: name the listener by its id\n"
    )


def test_several_queues_of_one_alias_exit_2(api, httpmock):
    expect(httpmock, "GET", "/queues", {"queues": [{"id": Q, "alias": "jobs"}, {"id": L, "alias": "jobs"}]})
    result = api("messages", "add", "jobs", "x")
    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: 2 queues are named 'jobs': {Q}, {L}\nHint: name the queue by its id\n",
    )


def test_queue_update_to_a_taken_name_has_the_create_hint(local):
    queue(local, "a")
    queue(local, "b")
    result = local("queues", "update", "a", "--name", "b")
    assert result.stderr.endswith("Hint: a queue named 'b' may exist already; --if-not-exists reuses it\n")
