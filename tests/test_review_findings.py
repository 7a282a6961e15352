"""Findings of a new-user trial and an adversarial review, each pinned where it was reproduced."""

from __future__ import annotations

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

