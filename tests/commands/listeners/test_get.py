"""listeners, messages, api-keys, api-clients and the raw `api` command, pinned on a terminal and a pipe."""

from __future__ import annotations

import pytest

from tests.commands.helpers import make_listener, make_queue

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


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
