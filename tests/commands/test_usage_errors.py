"""A bad command line under a JSON option: one JSON object on stderr, except a --jq typed at a terminal
(CLI.md "Errors as JSON": only with --json/--pretty, or when stderr is not a terminal)."""

from __future__ import annotations

import json

ARGS = ("--local", "queues", "list", "--limit", "0")
TITLE = "Invalid value for '--limit': 0 is not in the range x>=1."


def test_under_jq_at_a_terminal_the_error_is_for_a_person(cli, tty):
    result = cli(*ARGS, "--jq", ".[]")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(f"Error: {TITLE}\n")
    assert result.stderr.startswith("Usage: discue queues list")


def test_under_jq_into_a_pipe_or_a_file_the_error_is_json(cli):
    result = cli(*ARGS, "--jq", ".[]")
    assert (result.exit_code, result.stdout) == (2, "")
    assert json.loads(result.stderr) == {"title": TITLE, "status": None, "exit_code": 2}


def test_under_json_the_error_is_json_even_at_a_terminal(cli, tty):
    result = cli(*ARGS, "--json")
    assert (result.exit_code, result.stdout) == (2, "")
    assert json.loads(result.stderr) == {"title": TITLE, "status": None, "exit_code": 2}
