"""Global options before the noun or after the verb, as gh's persistent flags (docs/settings.md)."""

from __future__ import annotations

import pytest
import typer

from discue_cli.app import build_app
from discue_cli.commands._argv import hoist_globals


@pytest.fixture(scope="module")
def root():
    return typer.main.get_command(build_app())


def test_global_options_after_the_verb_act_as_before_the_noun(cli):
    created = cli("queues", "create", "orders", "--local", "-q")
    assert (created.exit_code, created.stderr) == (0, "")
    after = cli("queues", "list", "--local", "-v", "--no-color")
    before = cli("--local", "-v", "--no-color", "queues", "list")
    assert after.exit_code == before.exit_code == 0
    assert after.stdout == before.stdout == f"{created.stdout.strip()}\torders\n"
    assert "GET " in after.stderr  # -v after the verb: one line per HTTP exchange


def test_the_last_value_given_wins(cli):
    result = cli("--timeout", "5", "queues", "list", "--local", "--timeout", "never")
    assert result.exit_code == 2
    assert "never" in result.stderr
    result = cli("--timeout", "never", "queues", "list", "--local", "--timeout=5")
    assert (result.exit_code, result.stderr) == (0, "")


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        # moved just before the noun, after those given there: the last one given wins
        (
            ["--timeout", "5", "queues", "list", "--local", "--timeout", "9", "-v"],
            ["--timeout", "5", "--local", "--timeout", "9", "-v", "queues", "list"],
        ),
        (["queues", "list", "--api-version=2024-08", "--json"], ["--api-version=2024-08", "queues", "list", "--json"]),
        # a verb's own option of the same name keeps its meaning: the served key and generation
        (
            ["emulator", "serve", "--api-key", "K", "--api-version", "2022-05", "--local"],
            ["--local", "emulator", "serve", "--api-key", "K", "--api-version", "2022-05"],
        ),
        # a verb option's value that looks like a global option is that value
        (["queues", "get", "q", "--jq", "--local"], ["queues", "get", "q", "--jq", "--local"]),
        # after `--` everything is an argument
        (["messages", "add", "q", "--", "--local"], ["messages", "add", "q", "--", "--local"]),
        # not a command: left for typer to say so
        (["queus", "list", "--local"], ["queus", "list", "--local"]),
    ],
)
def test_where_global_options_are_moved(root, typed, parsed):
    assert hoist_globals(root, typed) == parsed


def test_serve_help_says_its_key_and_generation_are_the_served_ones(cli):
    shown = cli("emulator", "serve", "--help").stdout
    assert "--api-key" in shown and "not the global option" in shown
