"""listeners, messages, api-keys, api-clients and the raw `api` command, pinned on a terminal and a pipe."""

from __future__ import annotations

import pytest

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def test_api_clients_create(local):
    result = local("api-clients", "create", "example.com/dev")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "Created API client example.com/dev.\n")
