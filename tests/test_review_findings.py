"""Findings of a new-user trial and an adversarial review, each pinned where it was reproduced."""

from __future__ import annotations

import json

import pytest

KEY = ("--api-key", "k" * 20)


@pytest.mark.parametrize("quiet", ["-q", "--quiet"])
def test_api_keys_create_refuses_quiet_before_any_request_the_secret_would_be_lost(cli, httpmock, quiet):
    """httpmock has no stub: any request fails the test."""
    result = cli("--api-endpoint", "http://api.test/v1", *KEY, "api-keys", "create", "--name", "ci", quiet)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: -q/--quiet would print only the id and lose the new key's secret (the API never shows it again)\n"
        "Hint: leave out -q (id, name and key, tab-separated when piped), or pick fields with --jq\n"
    )


@pytest.mark.parametrize(
    ("args", "title"),
    [
        (
            ["queues", "list", "--json", "--limit", "abc"],
            "Invalid value for '--limit': 'abc' is not a valid int range.",
        ),
        (["queues", "get", "--json"], "Missing argument 'QUEUE'."),
        (["queues", "get", "--pretty"], "Missing argument 'QUEUE'."),
        (["queues", "list", "--jq", ".[]", "--nope"], "No such option: --nope"),
        (["queues", "list", "--jq=.", "--limit", "0"], "Invalid value for '--limit': 0 is not in the range x>=1."),
    ],
)
def test_an_argument_error_with_a_json_option_is_one_json_object(local, args, title):
    result = local(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert json.loads(result.stderr) == {"title": title, "status": None, "exit_code": 2}
    assert result.stderr.count("\n") == 1


def test_an_argument_error_without_a_json_option_keeps_clicks_usage_block(local):
    result = local("queues", "get", "--", "--json")  # after --, --json is the QUEUE argument, not an option
    assert result.exit_code == 4
    result = local("queues", "list", "--limit", "abc")
    assert (result.exit_code, result.stderr.splitlines()[0]) == (2, "Usage: discue queues list [OPTIONS]")
