"""queues list|get|create|update|delete through the real app against the local discue."""

from __future__ import annotations

import pytest

from tests import stubs
from tests.commands.queues.helpers import create
from tests.stubs import Q, expect, named

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


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


def test_a_confirmed_delete_on_a_terminal_is_one_summary_line(local, tty):
    for name in ("a", "b"):
        local("queues", "create", name)
    result = local("queues", "delete", "a", "b", input="y\n")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.endswith("Delete 2 queue(s)? [y/N]: Deleted 2 queues: a, b\n")


def test_piped_deletes_still_print_the_deleted_resources(local):
    queue_id = local("queues", "create", "orders", "-q").stdout.strip()
    result = local("queues", "delete", "orders", "--yes")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{queue_id}\torders\t[]\n", "")


api = stubs.api  # the fixture


BOTH = pytest.mark.parametrize("gen", ["2023-04", "2024-08"])


@BOTH
def test_queues_delete(api, httpmock, gen):
    expect(httpmock, "GET", f"/queues/{Q}", {"queue": named(gen, Q, "orders")})
    expect(httpmock, "DELETE", f"/queues/{Q}", {"_links": {}})
    result = api("queues", "delete", Q, "--yes", "-q", gen=gen)
    assert (result.exit_code, result.stdout) == (0, f"{Q}\n")
