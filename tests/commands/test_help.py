"""Help a newcomer can use: examples everywhere, UPPERCASE placeholders, nouns first, bare `discue`, exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from discue_cli.app import build_app


def every_command_path() -> list[list[str]]:
    paths = []

    def walk(command, path):
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(build_app()), [])
    return paths


@pytest.mark.parametrize("path", every_command_path(), ids=lambda p: " ".join(p) or "discue")
def test_every_command_has_examples_and_uppercase_placeholders(cli, path):
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "\n  Examples:\n\n" in text
    assert re.search(rf"\n    \$ discue {' '.join(path)}", text), text
    usage = text.splitlines()[0]
    assert "{" not in usage and not re.search(r"<[a-z |]+>", text), text  # typer's <int range>, <str>
    placeholders = usage.split("[OPTIONS]", 1)[1].split()
    assert all(p == p.upper() for p in placeholders), usage


def test_bare_discue_prints_help_and_exits_0(cli):
    result = cli()
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("Usage: discue [OPTIONS] COMMAND [ARGS]...\n")
    bare_noun = cli("queues")
    assert (bare_noun.exit_code, bare_noun.stderr) == (0, "")
    assert bare_noun.stdout.startswith("Usage: discue queues [OPTIONS] COMMAND [ARGS]...\n")


def test_the_main_nouns_come_first(cli):
    listed = cli("--help").stdout.split("Commands:\n")[1].split("\n\n")[0]
    names = [line.split()[0] for line in listed.splitlines()]
    assert names[:3] == ["queues", "listeners", "messages"]
    assert names[-3:] == ["api", "completion", "help"]


def test_help_exit_codes_lists_every_code(cli):
    result = cli("help", "exit-codes")
    assert result.exit_code == 0
    codes = [line.split("|")[1].strip() for line in result.stdout.splitlines() if re.match(r"\| \d", line)]
    assert codes == ["0", "1", "2", "3", "4", "5", "6", "7", "8", "129", "130", "143"]
    assert "| 4 | not found: 404, or a name that matches nothing |\n" in result.stdout


def test_help_of_a_command_is_its_own_help_and_an_unknown_topic_is_exit_2(cli):
    assert cli("help", "queues", "create").stdout == cli("queues", "create", "--help").stdout
    result = cli("help", "nope")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "Error: no help topic or command 'nope' (`discue help` lists both)\n"


def test_completion_help_stands_alone(cli):
    text = cli("completion", "--help").stdout
    assert "README" not in text
    assert "$ echo 'eval \"$(discue completion bash)\"' >> ~/.bashrc" in text  # the way that works everywhere, first
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    # one folder, named alike in both
    assert "completions/ folder" in text.replace("\n", " ") and "the `completions/` folder" in readme
