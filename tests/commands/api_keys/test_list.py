"""listeners, messages, api-keys, api-clients and the raw `api` command, pinned on a terminal and a pipe."""

from __future__ import annotations

import pytest

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def test_api_keys_list_on_a_terminal(local, tty):
    local("api-keys", "create", "--name", "ci")
    key_id = local("api-keys", "list", "-q").stdout.strip()
    assert local("api-keys", "list").stdout == f"ID                                    NAME\n{key_id}  ci\n"


def test_api_keys_list_piped(local):
    first = local("api-keys", "create", "--name", "ci").stdout.split("\t")[0]
    second = local("api-keys", "create").stdout.split("\t")[0]
    assert local("api-keys", "list").stdout == f"{first}\tci\n{second}\t\n"
