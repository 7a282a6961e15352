"""`discue help TOPIC`: a docs page, as Markdown when piped and rendered on a terminal; `discue help` lists them."""

from __future__ import annotations

from pathlib import Path

import pytest

from discue_cli.commands._help import TOPICS

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("topic", list(TOPICS))
def test_a_topic_piped_is_its_page_as_written(cli, topic):
    result = cli("help", topic)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (DOCS / f"{topic}.md").read_text(encoding="utf-8")


def test_a_topic_on_a_terminal_is_rendered_markdown(cli, tty):
    result = cli("help", "exit-codes")
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0].strip() == "Errors and exit codes"  # the heading, without its '#'
    assert "| exit | meaning |" not in result.stdout  # a table drawn, not its source
    assert any(line.split()[:3] == ["4", "not", "found:"] for line in lines), result.stdout
    assert "`" not in result.stdout  # code spans styled, not quoted


def test_discue_help_lists_the_topics_after_the_commands(cli):
    result = cli("help")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith(cli("--help").stdout)
    listed = result.stdout.split("\nHelp topics (discue help TOPIC):\n\n", 1)[1]
    assert [line.split()[0] for line in listed.splitlines()] == list(TOPICS)
    assert "  exit-codes        errors and exit codes\n" in listed


def test_a_command_keeps_its_own_help_beside_the_topics(cli):
    assert cli("help", "messages", "add").stdout == cli("messages", "add", "--help").stdout
    assert cli("help", "top").stdout == cli("top", "--help").stdout  # `top` is a command; `live-view` its topic


@pytest.mark.parametrize("words", [["nope"], ["exit-codes", "extra"], ["queues", "nope"]])
def test_an_unknown_topic_or_command_is_one_line_and_exit_2(cli, words):
    result = cli("help", *words)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: no help topic or command '{' '.join(words)}' (`discue help` lists both)\n"


def test_help_completes_topics_and_nouns():
    from discue_cli.commands._complete import complete_help

    class Ctx:
        params: dict = {}

    assert complete_help(Ctx(), "l") == ["listening", "local-discue", "live-view", "listeners", "listen"]
