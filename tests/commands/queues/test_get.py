"""queues list|get|create|update|delete through the real app against the local discue."""

from __future__ import annotations

import json

import pytest

from tests import stubs
from tests.commands.queues.helpers import create
from tests.conftest import LISTENER_URLS
from tests.stubs import L, Q, expect, named, queues_reply

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


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


api = stubs.api  # the fixture


BOTH = pytest.mark.parametrize("gen", ["2023-04", "2024-08"])


@BOTH
def test_queues_get_by_name_or_alias_costs_one_list_call(api, httpmock, gen):
    expect(httpmock, "GET", "/queues", queues_reply(gen, (L, "other"), (Q, "orders")))
    expect(httpmock, "GET", f"/queues/{Q}", {"queue": named(gen, Q, "orders")})
    result = api("queues", "get", "orders", gen=gen)
    assert (result.exit_code, result.stdout) == (0, f"{Q}\torders\n")


@BOTH
def test_a_21_character_id_goes_straight_into_the_path_with_exactly_one_request(api, httpmock, gen):
    expect(httpmock, "GET", f"/queues/{Q}", {"queue": named(gen, Q, "orders")})
    assert api("queues", "get", Q, "-q", gen=gen).stdout == f"{Q}\n"
    assert len(httpmock.requests) == 1
