"""listeners, messages, api-keys, api-clients and the raw `api` command, pinned on a terminal and a pipe."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import LISTENER_URLS, UUID

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")

NOTIFY = LISTENER_URLS


def make_queue(local, name="orders") -> str:
    return local("queues", "create", name, "-q").stdout.strip()


def make_listener(local, queue="orders", name="mailer") -> str:
    result = local("listeners", "add", queue, name, *NOTIFY, "-q")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_listener_add_piped_prints_what_the_api_answers(local):
    make_queue(local)
    result = local("listeners", "add", "orders", "mailer", *NOTIFY)
    listener_id = result.stdout.split("\t")[0]
    assert UUID.fullmatch(listener_id)
    assert result.stdout == f"{listener_id}\tmailer\n"  # the docs' reply to adding a listener: {id, name}
    assert local("listeners", "get", "orders", "mailer").stdout == (
        f"{listener_id}\tmailer\thttp://127.0.0.1:1/notify\thttp://127.0.0.1:1/live\t"
        '{"state":"unknown","success_count":0,"failure_count":0}\t'
        '{"acknowledged_count":0,"missed":[],"missed_count":0}\n'
    )


def test_listener_list_piped_for_one_queue_and_all(local):
    make_queue(local)
    first = make_listener(local, name="a")
    second = make_listener(local, name="b")
    assert local("listeners", "list", "orders").stdout == f"{first}\ta\n{second}\tb\n"
    assert local("listeners", "list").stdout == f"{first}\ta\torders\n{second}\tb\torders\n"


def test_listener_list_on_a_terminal(local, tty):
    make_queue(local)
    first = make_listener(local, name="a")
    result = local("listeners", "list", "orders")
    assert result.stdout == f"ID                                    NAME\n{first}  a\n"


def test_listener_get_on_a_terminal_shows_liveness_and_delivery_readably(local, tty):
    make_queue(local)
    listener_id = make_listener(local)
    result = local("listeners", "get", "orders", "mailer")
    assert result.exit_code == 0
    assert result.stdout == (  # no times or failures yet: the API shows none (the docs show no nulls)
        f"id                           {listener_id}\n"
        "name                         mailer\n"
        "notify_url                   http://127.0.0.1:1/notify\n"
        "liveness_url                 http://127.0.0.1:1/live\n"
        "liveness.state               unknown\n"
        "liveness.success_count       0\n"
        "liveness.failure_count       0\n"
        "messages.acknowledged_count  0\n"
        "messages.missed              -\n"
        "messages.missed_count        0\n"
    )


def test_listener_embed_lists_full_resources(local):
    make_queue(local)
    make_listener(local)
    body = json.loads(local("listeners", "list", "orders", "--embed", "--json").stdout)
    assert body["_embedded"]["listeners"][0]["liveness"]["state"] == "unknown"
    lines = local("listeners", "list", "orders", "--embed").stdout.splitlines()
    assert lines[0].split("\t")[1:4] == ["mailer", "http://127.0.0.1:1/notify", "http://127.0.0.1:1/live"]


def test_listener_bad_urls_are_refused_before_any_request(local):
    make_queue(local)
    result = local(
        "-v", "listeners", "add", "orders", "x", "--notify-url", "myapp.io/hook", "--liveness-url", "http://ok.test/l"
    )
    assert (result.exit_code, result.stderr) == (2, "Error: --notify-url: 'myapp.io/hook' is not an http(s) URL\n")
    result = local("listeners", "update", "orders", "x", "--liveness-url", "ftp://x")
    assert (result.exit_code, result.stderr) == (2, "Error: --liveness-url: 'ftp://x' is not an http(s) URL\n")


def test_listener_if_not_exists(local):
    make_queue(local)
    listener_id = make_listener(local)
    result = local("listeners", "add", "orders", "mailer", *NOTIFY, "--if-not-exists", "-q")
    assert (result.exit_code, result.stdout) == (0, f"{listener_id}\n")
    assert local("listeners", "list", "orders", "-q").stdout == f"{listener_id}\n"


def test_listener_update_and_delete(local):
    make_queue(local)
    listener_id = make_listener(local)
    result = local("listeners", "update", "orders", "mailer", "--name", "sender", "--notify-url", "http://n.test/x")
    assert result.stdout == f"{listener_id}\tsender\n"
    notify = local("listeners", "get", "orders", "sender", "--jq", ".listener.notify_url").stdout
    assert notify == "http://n.test/x\n"
    assert local("listeners", "update", "orders", "sender").exit_code == 2
    result = local("listeners", "delete", "orders", "sender", "--yes", "-q")
    assert (result.exit_code, result.stdout) == (0, f"{listener_id}\n")
    assert local("listeners", "get", "orders", "sender").exit_code == 4


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


def test_message_data_file_and_stdin(local, tmp_path):
    make_queue(local)
    (tmp_path / "msg.json").write_text('{"userId": "481512342"}\n')
    assert local("messages", "add", "orders", "--data-file", "msg.json", "-q").exit_code == 0
    assert local("messages", "add", "orders", "--data-file", "-", "-q", input="tab\there\n").exit_code == 0
    assert stored() == ['{"userId": "481512342"}', "tab\there"]


def test_message_names_with_tabs_and_newlines_stay_on_one_tsv_line(local):
    make_queue(local)
    message_id = local("messages", "add", "orders", "x", "-q").stdout.strip()
    local("messages", "update", "orders", message_id, "--name", "a\tb\nc")
    assert local("messages", "list", "orders", "--embed").stdout == f"{message_id}\ta\\tb\\nc\n"


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


def test_message_update_and_delete(local):
    make_queue(local)
    message_id = local("messages", "add", "orders", "x", "-q").stdout.strip()
    result = local("messages", "update", "orders", message_id, "--name", "myapp.io/m1")
    assert result.stdout == f"{message_id}\tmyapp.io/m1\n"
    assert local("messages", "delete", "orders", message_id).exit_code == 2
    assert local("messages", "delete", "orders", message_id, "--yes", "-q").stdout == f"{message_id}\n"
    assert local("messages", "get", "orders", message_id).exit_code == 4


def test_api_keys_lifecycle(local):
    result = local("api-keys", "create", "--name", "ci")
    key_id, name, secret = result.stdout.rstrip("\n").split("\t")
    assert UUID.fullmatch(key_id) and name == "ci" and len(secret) > 40
    assert result.stderr == "Store the key now: the API never shows it again.\n"
    listing = local("api-keys", "list", "--embed")
    assert secret not in listing.stdout
    fields = listing.stdout.rstrip("\n").split("\t")
    assert (fields[0], fields[1], fields[-2], fields[-1]) == (key_id, "ci", secret[:3], "enabled")
    result = local("api-keys", "update", key_id, "--status", "disabled", "--jq", ".api_key.status")
    assert result.stdout == "disabled\n"
    result = local("api-keys", "update", key_id, "--status", "paused")
    assert result.exit_code == 2
    assert local("api-keys", "delete", key_id, "--yes", "-q").stdout == f"{key_id}\n"
    assert local("api-keys", "get", key_id).exit_code == 4


def test_api_keys_list_on_a_terminal(local, tty):
    local("api-keys", "create", "--name", "ci")
    key_id = local("api-keys", "list", "-q").stdout.strip()
    assert local("api-keys", "list").stdout == f"ID                                    NAME\n{key_id}  ci\n"


def test_api_clients_create(local):
    result = local("api-clients", "create", "example.com/dev")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "Created API client example.com/dev.\n")


def test_raw_api_get_post_and_errors(local):
    created = json.loads(local("api", "POST", "/queues", "--data", '{"name": "raw"}').stdout)
    queue_id = created["queue"]["id"]
    result = local("api", "GET", f"/queues/{queue_id}", "--jq", ".queue.name")
    assert result.stdout == "raw\n"
    result = local("api", "get", "/queues", "--query", "_embed=true", "--jq", ".queues[0].id")
    assert result.stdout == f"{queue_id}\n"  # GET /queues has no _embed: the query is ignored
    result = local("api", "POST", "/queues", "--data", "{bad")
    assert result.exit_code == 2 and result.stderr.startswith("Error: --data is not valid JSON")
    result = local("api", "GET", "/nope")
    assert (result.exit_code, result.stderr) == (4, "Error: Not Found (404)\n")
    result = local("api", "FETCH", "/queues")
    assert result.exit_code == 2
    result = local("api", "POST", "/queues", "--data", "@-", input='{"name": "from-stdin"}')
    assert json.loads(result.stdout)["queue"]["name"] == "from-stdin"


def test_api_keys_list_piped(local):
    first = local("api-keys", "create", "--name", "ci").stdout.split("\t")[0]
    second = local("api-keys", "create").stdout.split("\t")[0]
    assert local("api-keys", "list").stdout == f"{first}\tci\n{second}\t\n"


def test_api_key_get_on_a_terminal_shows_times_and_status(local, tty):
    local("api-keys", "create", "--name", "ci")
    key_id = local("api-keys", "list", "-q").stdout.strip()
    lines = local("api-keys", "get", key_id).stdout.splitlines()
    # never used: no last_used_at (the docs show a number there, never null)
    assert [line.split()[0] for line in lines] == ["id", "name", "created_at", "updated_at", "key", "status"]
    assert lines[2].endswith("Z") and lines[5] == "status      enabled"


def test_message_add_on_a_terminal_and_piped(local, tty):
    make_queue(local)
    lines = local("messages", "add", "orders", "hello").stdout.splitlines()
    message_id = lines[0].split()[1]
    assert lines == [f"id    {message_id}", "name  -"]


def test_message_add_piped(local):
    make_queue(local)
    fields = local("messages", "add", "orders", "hello").stdout.rstrip("\n").split("\t")
    assert UUID.fullmatch(fields[0]) and fields[1:] == [""]


def test_api_key_create_on_a_terminal(local, tty):
    result = local("api-keys", "create", "--name", "ci")
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["id", "name", "api_key"]
    assert lines[1] == "name     ci"
    assert result.stderr == "Store the key now: the API never shows it again.\n"


def test_names_that_look_like_markup_are_shown_literally_on_a_terminal(local, tty):
    make_queue(local)
    message_id = local("messages", "add", "orders", "x", "-q").stdout.strip()
    local("messages", "update", "orders", message_id, "--name", "[/red] [bold]not bold[/bold] :smile:")
    result = local("messages", "list", "--embed", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert "  [/red] [bold]not bold[/bold] :smile:  " in result.stdout
    shown = local("messages", "get", "orders", message_id).stdout
    assert "name  [/red] [bold]not bold[/bold] :smile:\n" in shown


def test_listener_if_not_exists_warns_about_each_field_that_differs(local):
    make_queue(local)
    listener_id = make_listener(local)
    urls = ("--notify-url", "http://new.test/notify", "--liveness-url", "http://127.0.0.1:1/live")
    result = local("listeners", "add", "orders", "mailer", *urls, "--if-not-exists", "-q")
    assert (result.exit_code, result.stdout) == (0, f"{listener_id}\n")
    assert result.stderr == (
        "Warning: listener 'mailer' exists and was left as it is; it differs from what was given:\n"
        "  notify_url: 'http://127.0.0.1:1/notify' (given: 'http://new.test/notify')\n"
        "Hint: change it with `discue listeners update orders mailer --notify-url http://new.test/notify`,"
        " or keep listeners as a file says with `discue apply`\n"
    )
    same = local("listeners", "add", "orders", "mailer", *NOTIFY, "--if-not-exists", "-q")
    assert (same.exit_code, same.stdout, same.stderr) == (0, f"{listener_id}\n", "")
