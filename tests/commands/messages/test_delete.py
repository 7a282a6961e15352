"""What a delete says on a terminal: what it is about to delete, then one line for what it deleted."""

from __future__ import annotations

import pytest

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def test_messages_delete_lists_what_it_deletes_before_asking(local, tty):
    local("queues", "create", "orders")
    first = local("messages", "add", "orders", "hello", "-q").stdout.strip()
    second = local("messages", "add", "orders", "x", "-q").stdout.strip()
    local("messages", "update", "orders", second, "--name", "a.io/second")
    result = local("messages", "delete", "orders", first, second, input="y\n")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (  # the API shows a message's id and name, not its data: no preview
        "These messages will be deleted:\n"
        f"  {first}  \n"
        f"  {second}  \n"
        "Delete 2 message(s)? Undelivered ones are lost. [y/N]: "
        f"Deleted 2 messages: {first}, a.io/second\n"
    )
    assert local("messages", "list", "orders", "-q").stdout == ""


def test_the_listing_escapes_control_characters_from_the_server(local, tty):
    local("queues", "create", "orders")
    message_id = local("messages", "add", "orders", "x", "-q").stdout.strip()
    local("messages", "update", "orders", message_id, "--name", "\x1b[31mred")
    result = local("messages", "delete", "orders", message_id, input="y\n")
    assert result.exit_code == 0
    assert result.stderr.endswith("Deleted 1 message: \\x1b[31mred\n")
