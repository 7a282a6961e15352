"""A bad command line under a JSON option: one JSON object on stderr, except a --jq typed at a terminal
(docs/exit-codes.md: only with --json/--pretty, or when stderr is not a terminal)."""

from __future__ import annotations

import json

import pytest

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
