"""--limit on every listing."""

from __future__ import annotations

import json

import pytest

from tests.conftest import LISTENER_URLS

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


@pytest.mark.parametrize("noun", ["queues", "listeners", "messages"])
def test_limit_on_every_list(local, noun):
    for queue in ("a", "b", "c"):
        local("queues", "create", queue)
        local("listeners", "add", queue, "mailer", *LISTENER_URLS)
        local("messages", "add", queue, "hello")
    everything = local(noun, "list", "-q").stdout.splitlines()
    assert len(everything) == 3
    assert local(noun, "list", "--limit", "2", "-q").stdout.splitlines() == everything[:2]
    assert len(local(noun, "list", "--limit", "2").stdout.splitlines()) == 2
    embed = [] if noun == "queues" else ["--embed"]  # GET /queues never took `_embed`
    body = json.loads(local(noun, "list", "--limit", "1", *embed, "--json").stdout)
    assert [item["id"] for item in body[noun]] == everything[:1]
    if embed:
        assert [item["id"] for item in body["_embedded"][noun]] == everything[:1]
    result = local(noun, "list", "--limit", "0")
    assert result.exit_code == 2
    assert "--limit" in result.stderr
