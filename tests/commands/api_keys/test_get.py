"""listeners, messages, api-keys, api-clients and the raw `api` command, pinned on a terminal and a pipe."""

from __future__ import annotations

import pytest

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def test_api_key_get_on_a_terminal_shows_times_and_status(local, tty):
    local("api-keys", "create", "--name", "ci")
    key_id = local("api-keys", "list", "-q").stdout.strip()
    lines = local("api-keys", "get", key_id).stdout.splitlines()
    # never used: no last_used_at (the docs show a number there, never null)
    assert [line.split()[0] for line in lines] == ["id", "name", "created_at", "updated_at", "key", "status"]
    assert lines[2].endswith("Z") and lines[5] == "status      enabled"
