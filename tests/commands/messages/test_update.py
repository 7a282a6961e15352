"""listeners, messages, api-keys, api-clients and the raw `api` command, pinned on a terminal and a pipe."""

from __future__ import annotations

import pytest

from tests.commands.helpers import make_queue

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def test_message_update_and_delete(local):
    make_queue(local)
    message_id = local("messages", "add", "orders", "x", "-q").stdout.strip()
    result = local("messages", "update", "orders", message_id, "--name", "myapp.io/m1")
    assert result.stdout == f"{message_id}\tmyapp.io/m1\n"
    assert local("messages", "delete", "orders", message_id).exit_code == 2
    assert local("messages", "delete", "orders", message_id, "--yes", "-q").stdout == f"{message_id}\n"
    assert local("messages", "get", "orders", message_id).exit_code == 4
