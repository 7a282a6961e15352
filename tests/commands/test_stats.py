"""stats, events and domains, piped and on a terminal, against replies copied from the docs and the provider."""

from __future__ import annotations

import json

import pytest

from tests import stubs
from tests.stubs import expect

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
