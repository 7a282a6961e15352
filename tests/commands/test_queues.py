"""queues list|get|create|update|delete through the real app against the local discue."""

from __future__ import annotations

import json

import pytest

from tests.conftest import LISTENER_URLS, UUID

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def create(local, name: str) -> str:
    result = local("queues", "create", name, "-q")
    assert result.exit_code == 0, result.stderr
    assert UUID.fullmatch(result.stdout.strip())
    return result.stdout.strip()


def test_create_piped_prints_one_tsv_line(local):
    result = local("queues", "create", "myapp.io/deletion-request-queue")
    assert result.exit_code == 0
    queue_id = result.stdout.split("\t")[0]
    assert result.stdout == f"{queue_id}\tmyapp.io/deletion-request-queue\t[]\n"
    assert result.stderr == ""


def test_create_existing_name_is_a_conflict_exit_5(local):
    create(local, "orders")
    result = local("queues", "create", "orders")
    assert result.exit_code == 5
    assert result.stdout == ""
    assert result.stderr == (
        "Error: Unprocessable Entity (422)\nHint: a queue named 'orders' may exist already; --if-not-exists reuses it\n"
    )


def test_create_if_not_exists_prints_the_existing_queue(local):
    queue_id = create(local, "orders")
    result = local("queues", "create", "orders", "--if-not-exists", "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{queue_id}\n", "")


def test_list_piped_is_tsv_id_then_name(local):
    first = create(local, "a.io/one")
    second = create(local, "a.io/two")
    result = local("queues", "list")
    assert result.exit_code == 0
    assert result.stdout == f"{first}\ta.io/one\n{second}\ta.io/two\n"
    assert result.stderr == ""


def test_list_on_a_terminal_is_a_table(local, tty):
    first = create(local, "a.io/one")
    second = create(local, "a.io/two")
    result = local("queues", "list")
    assert result.exit_code == 0
    assert result.stdout == (f"ID                                    NAME\n{first}  a.io/one\n{second}  a.io/two\n")


def test_empty_list_on_a_terminal_says_so_on_stderr(local, tty):
    result = local("queues", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "No queues.\n")


def test_empty_list_piped_prints_nothing(local):
    result = local("queues", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_get_by_name_on_a_terminal_is_key_value(local, tty):
    queue_id = create(local, "orders")
    local(
        "listeners",
        "add",
        "orders",
        "mailer",
        *LISTENER_URLS,
    )
    result = local("queues", "get", "orders")
    assert result.exit_code == 0
    assert result.stdout == f"id         {queue_id}\nname       orders\nlisteners  mailer\n"


def test_get_piped_nests_listeners_as_json(local):
    queue_id = create(local, "orders")
    listener = local(
        "listeners",
        "add",
        "orders",
        "mailer",
        *LISTENER_URLS,
        "-q",
    ).stdout.strip()
    result = local("queues", "get", queue_id)
    assert result.stdout == f'{queue_id}\torders\t[{{"id":"{listener}","name":"mailer"}}]\n'


def test_get_json_is_the_api_body_with_links(local):
    queue_id = create(local, "orders")
    body = json.loads(local("queues", "get", "orders", "--json").stdout)
    assert body["queue"] == {"id": queue_id, "name": "orders", "listeners": []}
    assert body["_links"]["self"] == {"href": f"http://local.discue/v1/queues/{queue_id}"}


def test_pretty_is_indented_json(local):
    queue_id = create(local, "orders")
    result = local("queues", "list", "--pretty")
    assert result.stdout.startswith('{\n  "queues": [\n    {\n      "id": "' + queue_id + '",\n')


def test_jq_prints_raw_strings(local):
    create(local, "a.io/one")
    create(local, "a.io/two")
    result = local("queues", "list", "--jq", ".queues[].name")
    assert (result.exit_code, result.stdout) == (0, "a.io/one\na.io/two\n")


def test_bad_jq_is_a_usage_error_before_any_request(local):
    result = local("-v", "queues", "create", "never", "--jq", ".[")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith('{"title":"invalid jq expression')
    assert local("queues", "list").stdout == ""


def test_get_unknown_name_exit_4(local):
    result = local("queues", "get", "nope")
    assert result.exit_code == 4
    assert result.stderr == "Error: no queue named 'nope'\nHint: `discue queues list` shows the queues\n"


def test_get_unknown_id_exit_4_with_api_title_and_the_id(local):
    result = local("queues", "get", "00000000-0000-4000-8000-000000000000")
    assert (result.exit_code, result.stderr) == (
        4,
        "Error: Not Found (404)\nHint: there is no queue '00000000-0000-4000-8000-000000000000'\n",
    )


def test_error_with_json_is_one_json_object_on_stderr(local):
    result = local("queues", "get", "00000000-0000-4000-8000-000000000000", "--json")
    assert result.exit_code == 4
    assert result.stdout == ""
    assert json.loads(result.stderr) == {
        "title": "Not Found",
        "status": 404,
        "exit_code": 4,
        "hint": "there is no queue '00000000-0000-4000-8000-000000000000'",
    }


def test_update_renames(local):
    queue_id = create(local, "old")
    result = local("queues", "update", "old", "--name", "new")
    assert (result.exit_code, result.stdout) == (0, f"{queue_id}\tnew\t[]\n")
    assert local("queues", "get", "new", "-q").stdout == f"{queue_id}\n"


def test_update_to_a_taken_name_exit_5(local):
    create(local, "a")
    create(local, "b")
    result = local("queues", "update", "a", "--name", "b")
    assert (result.exit_code, result.stderr) == (
        5,
        "Error: Unprocessable Entity (422)\nHint: a queue named 'b' may exist already; --if-not-exists reuses it\n",
    )


def test_delete_without_yes_off_a_terminal_refuses_and_keeps_the_queue(local):
    queue_id = create(local, "orders")
    result = local("queues", "delete", "orders")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: refusing to delete without --yes in a non-interactive run\nHint: add --yes to delete\n"
    )
    assert local("queues", "list", "-q").stdout == f"{queue_id}\n"


def test_delete_with_yes_deletes_queue_listeners_and_messages(local):
    queue_id = create(local, "orders")
    local("listeners", "add", "orders", "l", "--notify-url", "http://h/n", "--liveness-url", "http://h/l")
    local("messages", "add", "orders", "hello")
    result = local("queues", "delete", "orders", "--yes", "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{queue_id}\n", "")
    assert local("queues", "list").stdout == ""
    assert local("listeners", "list").stdout == ""
    assert local("messages", "list").stdout == ""


def test_delete_on_a_terminal_asks_and_says_what_goes(local, tty):
    create(local, "orders")
    local("messages", "add", "orders", "hello")
    result = local("queues", "delete", "orders", "-q", input="n\n")
    assert result.exit_code == 2
    assert "orders" in result.stderr and "0 listener(s), 1 message(s)" in result.stderr
    assert "Delete 1 queue(s)? [y/N]: Nothing deleted.\n" in result.stderr
    assert local("queues", "list", "-q").stdout != ""
    result = local("queues", "delete", "orders", "-q", input="y\n")
    assert result.exit_code == 0
    assert local("queues", "list", "-q").stdout == ""


def test_quiet_and_json_together_are_refused(local):
    result = local("queues", "list", "-q", "--json")
    assert result.exit_code == 2
    assert "cannot be combined" in result.stderr


def test_create_on_a_terminal_is_key_value(local, tty):
    result = local("queues", "create", "orders")
    queue_id = result.stdout.split()[1]
    assert UUID.fullmatch(queue_id)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"id         {queue_id}\nname       orders\nlisteners  -\n",
        "",
    )


def test_update_and_delete_on_a_terminal(local, tty):
    queue_id = create(local, "old")
    assert local("queues", "update", "old", "--name", "new").stdout == (
        f"id         {queue_id}\nname       new\nlisteners  -\n"
    )
    result = local("queues", "delete", "new", "--yes")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "Deleted 1 queue: new\n")


def test_color_only_on_a_terminal_and_never_with_no_color(local, tty, monkeypatch):
    create(local, "orders")
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "xterm-256color")
    assert "\x1b[1m" in local("queues", "list").stdout  # bold header
    assert "\x1b[" not in local("--no-color", "queues", "list").stdout
    assert "\x1b[" not in local("queues", "list", env={"NO_COLOR": "1"}).stdout
    # no-color.org: only a non-empty NO_COLOR turns color off
    assert "\x1b[1m" in local("queues", "list", env={"NO_COLOR": ""}).stdout
    assert "\x1b[" in local("queues", "list", "--pretty").stdout  # highlighted JSON


def test_never_color_on_a_pipe(local, monkeypatch):
    create(local, "orders")
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    for args in (["queues", "list"], ["queues", "list", "--pretty"], ["queues", "get", "orders"]):
        assert "\x1b[" not in local(*args).stdout
