"""stats, events and domains, piped and on a terminal, against replies copied from the docs and the provider."""

from __future__ import annotations

import json

import pytest

from tests import stubs
from tests.stubs import L, M, Q, expect

api = stubs.api  # the fixture
COUNTERS = ("api_key_added", "queue_added", "message_added", "message_published_ok")


def stats_reply() -> dict:
    windows = {"last_24_hours": 10, "last_1_hours": 1, "today_so_far": 5}
    return {
        "aggregated_api_usage_events": {
            window: {c: base * (i + 1) for i, c in enumerate(COUNTERS)} for window, base in windows.items()
        },
        "_links": {"self": {"href": "https://api.discue.io/messages/stats"}},
    }


@pytest.mark.parametrize("gen", ["2023-04", "2024-08"])
def test_stats_piped_is_counter_then_the_three_windows(api, httpmock, gen):
    expect(httpmock, "GET", "/stats/messages", stats_reply())
    result = api("stats", gen=gen)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "api_key_added\t1\t10\t5\nqueue_added\t2\t20\t10\nmessage_added\t3\t30\t15\nmessage_published_ok\t4\t40\t20\n"
    )


def test_stats_on_a_terminal(api, httpmock, tty):
    expect(httpmock, "GET", "/stats/messages", stats_reply())
    assert api("stats").stdout == (
        "COUNTER               LAST_1_HOURS  LAST_24_HOURS  TODAY_SO_FAR\n"
        "api_key_added         1             10             5\n"
        "queue_added           2             20             10\n"
        "message_added         3             30             15\n"
        "message_published_ok  4             40             20\n"
    )


def test_stats_json_is_the_reply(api, httpmock):
    expect(httpmock, "GET", "/stats/messages", stats_reply())
    assert json.loads(api("stats", "--json").stdout) == stats_reply()


def test_stats_of_an_unknown_shape_is_no_rows_not_a_crash(api, httpmock, tty):
    expect(httpmock, "GET", "/stats/messages", {"message_events": [{"id": "x", "sum": 3}]})
    result = api("stats")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "No counters.\n")


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


D = "dOm4in_Id_0123456789x"
CHALLENGE = {
    "https": {
        "file_content": "c0ntent",
        "file_name": "discue-challenge.txt",
        "context_path": "/.well-known/discue",
        "created_at": 1724851200000,
        "expires_at": 1724937600000,
    }
}


def domain(verified: bool = False, port: int = 443) -> dict:
    verification = {"verified": verified, "verified_at": 1724851300000 if verified else None}
    fields = {"hostname": "hooks.myapp.io", "port": port, "challenge": CHALLENGE, "verification": verification}
    return {"id": D, "alias": "hooks", **fields}


def test_domains_create_shows_the_challenge_and_how_to_pass_it(api, httpmock, tty):
    body = {"alias": "hooks", "hostname": "hooks.myapp.io", "port": 8443}
    expect(httpmock, "POST", "/domains", {"domain": domain(port=8443)}, body)
    result = api("domains", "create", "hooks", "--hostname", "hooks.myapp.io", "--port", "8443", gen="2024-08")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"id                            {D}\n"
        "name                          hooks\n"
        "hostname                      hooks.myapp.io\n"
        "port                          8443\n"
        "challenge.https.file_content  c0ntent\n"
        "challenge.https.file_name     discue-challenge.txt\n"
        "challenge.https.context_path  /.well-known/discue\n"
        "challenge.https.created_at    2024-08-28 13:20:00Z\n"
        "challenge.https.expires_at    2024-08-29 13:20:00Z\n"
        "verification.verified         no\n"
        "verification.verified_at      -\n"
    )
    assert result.stderr == (
        "To verify hooks.myapp.io, serve exactly the challenge's file_content at "
        "https://hooks.myapp.io:8443/.well-known/discue/discue-challenge.txt\n"
    )


def test_domains_list_get_update_delete_piped(api, httpmock):
    expect(httpmock, "GET", "/domains", {"domains": [domain(verified=True)]})
    result = api("domains", "list", gen="2024-08")
    fields = result.stdout.rstrip("\n").split("\t")
    assert fields[:4] == [D, "hooks", "hooks.myapp.io", "443"]
    assert json.loads(fields[5]) == {"verified": True, "verified_at": 1724851300000}
    assert result.stderr == ""  # verified: no challenge to pass
    expect(httpmock, "GET", "/domains", {"domains": [domain()]})
    expect(httpmock, "GET", f"/domains/{D}", {"domain": domain()})
    assert api("domains", "get", "hooks", "-q", gen="2024-08").stdout == f"{D}\n"
    expect(httpmock, "PUT", f"/domains/{D}", {"domain": domain(port=1024)}, {"port": 1024})
    assert api("domains", "update", D, "--port", "1024", "-q", gen="2024-08").stdout == f"{D}\n"
    expect(httpmock, "GET", f"/domains/{D}", {"domain": domain()})
    expect(httpmock, "DELETE", f"/domains/{D}", {"_links": {}})
    assert api("domains", "delete", D, "--yes", "-q", gen="2024-08").stdout == f"{D}\n"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("create", "hooks", "--hostname", "not a host"), "Error: --hostname: 'not a host' is not a host name"),
        (("create", "hooks", "--hostname", "a.io", "--port", "1023"), "Error: --port: 1023 is not allowed"),
        (("create", "hooks", "--hostname", "a.io", "--port", "22"), "Error: --port: 22 is not allowed"),
        (("create", " ", "--hostname", "a.io"), "Error: the domain alias is empty"),
        (("update", "hooks"), "Error: nothing to change: give --alias, --hostname or --port"),
    ],
)
def test_domains_bad_input_is_exit_2_before_any_request(api, httpmock, args, error):
    result = api("domains", *args, gen="2024-08")
    assert result.exit_code == 2
    assert result.stderr.startswith(error)
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
