"""listeners, messages, api-keys, api-clients and the raw `api` command, pinned on a terminal and a pipe."""

from __future__ import annotations

import json

import pytest

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def test_raw_api_get_post_and_errors(local):
    created = json.loads(local("api", "POST", "/queues", "--data", '{"name": "raw"}').stdout)
    queue_id = created["queue"]["id"]
    result = local("api", "GET", f"/queues/{queue_id}", "--jq", ".queue.name")
    assert result.stdout == "raw\n"
    result = local("api", "get", "/queues", "--query", "_embed=true", "--jq", ".queues[0].id")
    assert result.stdout == f"{queue_id}\n"  # GET /queues has no _embed: the query is ignored
    result = local("api", "POST", "/queues", "--data", "{bad")
    assert result.exit_code == 2 and result.stderr.startswith("Error: --data is not valid JSON")
    result = local("api", "GET", "/nope")
    assert (result.exit_code, result.stderr) == (4, "Error: Not Found (404)\n")
    result = local("api", "FETCH", "/queues")
    assert result.exit_code == 2
    result = local("api", "POST", "/queues", "--data", "@-", input='{"name": "from-stdin"}')
    assert json.loads(result.stdout)["queue"]["name"] == "from-stdin"
