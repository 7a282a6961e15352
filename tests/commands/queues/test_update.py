"""queues list|get|create|update|delete through the real app against the local discue."""

from __future__ import annotations

import pytest

from tests import stubs
from tests.commands.queues.helpers import create
from tests.stubs import NAME, Q, expect, named, queues_reply

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


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


def test_update_and_delete_on_a_terminal(local, tty):
    queue_id = create(local, "old")
    assert local("queues", "update", "old", "--name", "new").stdout == (
        f"id         {queue_id}\nname       new\nlisteners  -\n"
    )
    result = local("queues", "delete", "new", "--yes")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "Deleted 1 queue: new\n")


api = stubs.api  # the fixture


BOTH = pytest.mark.parametrize("gen", ["2023-04", "2024-08"])


@BOTH
def test_queues_update_name_and_no_schema(api, httpmock, gen):
    expect(httpmock, "GET", "/queues", queues_reply(gen, (Q, "orders")))
    expect(httpmock, "PUT", f"/queues/{Q}", {"queue": named(gen, Q, "jobs")}, {NAME[gen]: "jobs", "schema": None})
    result = api("queues", "update", "orders", "--name", "jobs", "--no-schema", gen=gen)
    assert (result.exit_code, result.stdout) == (0, f"{Q}\tjobs\n")
