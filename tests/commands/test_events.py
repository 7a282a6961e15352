"""stats, events and domains, piped and on a terminal, against replies copied from the docs and the provider."""

from __future__ import annotations

from tests import stubs
from tests.stubs import L, M, Q, expect

api = stubs.api  # the fixture


EVENTS = {
    "events": [
        {
            "id": "E" * 21,
            "type": "queue_added",
            "stored_at": 1657027948150,
            "client": {"id": "c"},
            "queue": {"id": Q, "name": "orders"},
        },
        {
            "id": "F" * 21,
            "type": "listener_deleted",
            "stored_at": 1657027948151,
            "queue": {"id": Q, "name": "orders"},
            "listener": {"id": L, "alias": "mailer"},
        },
        {"id": "G" * 21, "type": "message_published_ok", "stored_at": 1657027948152, "message": {"id": M}},
    ],
    "_links": {"self": {"href": "https://api.discue.io/events"}},
}


D = "dOm4in_Id_0123456789x"


def test_events_piped_is_id_type_stored_at_then_the_resource(api, httpmock):
    stub = expect(httpmock, "GET", "/events", EVENTS)
    result = api("events", "--type", "queues", "--limit", "3", "--after", "D" * 21)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"{'E' * 21}\tqueue_added\t1657027948150\tqueue\t{Q}\torders\n"
        f"{'F' * 21}\tlistener_deleted\t1657027948151\tlistener\t{L}\tmailer\n"
        f"{'G' * 21}\tmessage_published_ok\t1657027948152\tmessage\t{M}\t\n"
    )
    assert dict(stub.calls[0].url.params) == {"events": "queues", "limit": "3", "startAfterId": "D" * 21}


def test_events_on_a_terminal(api, httpmock, tty):
    expect(httpmock, "GET", "/events", EVENTS)
    result = api("events", env={"COLUMNS": "160"})
    assert result.stdout.splitlines() == [
        "ID                     TYPE                  STORED_AT             RESOURCE  RESOURCE_ID            "
        "RESOURCE_NAME",
        f"{'E' * 21}  queue_added           2022-07-05 13:32:28Z  queue     {Q}  orders",
        f"{'F' * 21}  listener_deleted      2022-07-05 13:32:28Z  listener  {L}  mailer",
        f"{'G' * 21}  message_published_ok  2022-07-05 13:32:28Z  message   {M}  -",
    ]


def test_events_bad_type_and_limit_are_usage_errors(api, httpmock):
    assert api("events", "--type", "users").exit_code == 2
    assert api("events", "--limit", "0").exit_code == 2
    assert httpmock.requests == []


def test_events_without_a_limit_say_when_the_api_answered_a_full_page(local, tmp_path):
    """The API answers 100 events unless asked for more: a full page says so on stderr, with the way on."""
    assert local("queues", "create", "busy").exit_code == 0
    (tmp_path / "lines.txt").write_text("".join(f"m{i}\n" for i in range(120)))
    assert local("messages", "add", "busy", "--batch", str(tmp_path / "lines.txt"), "-q").exit_code == 0
    result = local("events")
    rows = result.stdout.splitlines()
    assert (result.exit_code, len(rows)) == (0, 100)
    last = rows[-1].split("\t")[0]
    assert result.stderr == (
        f"These are the first 100 events the API gave; more may follow: --after {last} for the next ones, "
        "or --limit N\n"
    )
    assert local("events", "--limit", "500").stderr == ""
