"""A name shaped like an id (21 URL-safe characters) is a name too: tried as an id first, then, only when
no such id exists, looked up as a name with one more call (docs/output.md, "Names and ids")."""

from __future__ import annotations

from tests.stubs import expect

NAME = "myapp-orders-queue-01"  # 21 characters: the shape of a 2023-04 id
QID = "_Tzrg1O3jk4_FZTAEThNq"
API = ("--api-endpoint", "http://api.test/v1", "--api-key", "k" * 20, "--api-version", "2023-04")


def test_an_id_shaped_name_is_created_found_and_reused_with_if_not_exists(local):
    made = local("queues", "create", NAME, "-q")
    assert made.exit_code == 0, made.stderr
    queue_id = made.stdout.strip()
    got = local("queues", "get", NAME)
    assert (got.exit_code, got.stdout, got.stderr) == (0, f"{queue_id}\t{NAME}\t\n", "")  # id, name, schema
    for _ in range(2):
        again = local("queues", "create", NAME, "--if-not-exists", "-q")
        assert (again.exit_code, again.stdout, again.stderr) == (0, f"{queue_id}\n", "")
    renamed = local("queues", "update", NAME, "--name", "orders", "-q")
    assert (renamed.exit_code, renamed.stdout) == (0, f"{queue_id}\n")


def test_the_name_costs_one_more_call_only_when_no_such_id_exists(cli, httpmock):
    missing = {"title": "Not Found", "status": 404}
    expect(httpmock, "GET", f"/queues/{NAME}", missing, status=404)
    expect(httpmock, "GET", "/queues", {"queues": [{"id": QID, "name": NAME, "schema": None}]})
    expect(httpmock, "GET", f"/queues/{QID}", {"queue": {"id": QID, "name": NAME, "schema": None}})
    result = cli(*API, "queues", "get", NAME)
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{QID}\t{NAME}\t\n", "")
    assert [r.url.path for r in httpmock.requests] == [f"/v1/queues/{NAME}", "/v1/queues", f"/v1/queues/{QID}"]


def test_an_id_that_is_there_costs_no_lookup(cli, httpmock):
    expect(httpmock, "GET", f"/queues/{QID}", {"queue": {"id": QID, "name": "orders", "schema": None}})
    result = cli(*API, "queues", "get", QID)
    assert (result.exit_code, result.stdout) == (0, f"{QID}\torders\t\n")
    assert [r.url.path for r in httpmock.requests] == [f"/v1/queues/{QID}"]


def test_an_id_that_is_neither_id_nor_name_is_still_not_found(cli, httpmock):
    missing = {"title": "Not Found", "status": 404}
    expect(httpmock, "GET", f"/queues/{NAME}", missing, status=404)
    expect(httpmock, "GET", "/queues", {"queues": [{"id": QID, "name": "orders", "schema": None}]})
    result = cli(*API, "queues", "get", NAME)
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr.startswith("Error: Not Found (404)\n")


def test_an_id_shaped_queue_name_works_for_messages_and_listeners(local):
    """The one-shot verbs that take a QUEUE find it by such a name after the id missed."""
    assert local("queues", "create", NAME).exit_code == 0
    added = local("messages", "add", NAME, "hello", "-q")
    assert added.exit_code == 0, added.stderr
    listed = local("messages", "list", NAME, "-q")
    assert (listed.exit_code, listed.stdout, listed.stderr) == (0, added.stdout, "")
    assert local("messages", "count", NAME).stdout == "1\n"
    urls = ("--notify-url", "http://127.0.0.1:9/n", "--liveness-url", "http://127.0.0.1:9/l")
    listener = local("listeners", "add", NAME, "mailer", *urls, "-q")
    assert listener.exit_code == 0, listener.stderr
    got = local("listeners", "get", NAME, "mailer", "-q")
    assert (got.exit_code, got.stdout) == (0, listener.stdout)
    missing = local("messages", "add", "nosuch-queue-name-0001", "x")
    assert missing.exit_code == 4 and missing.stderr.startswith("Error: "), missing.stderr
