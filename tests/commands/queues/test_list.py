"""queues list|get|create|update|delete through the real app against the local discue."""

from __future__ import annotations

import json

import pytest

from tests import stubs
from tests.commands.queues.helpers import create
from tests.stubs import L, Q, expect, queues_reply

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def test_list_piped_is_tsv_id_then_name(local):
    first = create(local, "a.io/one")
    second = create(local, "a.io/two")
    result = local("queues", "list")
    assert result.exit_code == 0
    assert result.stdout == f"{first}\ta.io/one\n{second}\ta.io/two\n"
    assert result.stderr == ""


def test_list_on_a_terminal_is_a_table(local, tty):
    first = create(local, "a.io/one")
    second = create(local, "a.io/two")
    result = local("queues", "list")
    assert result.exit_code == 0
    assert result.stdout == (f"ID                                    NAME\n{first}  a.io/one\n{second}  a.io/two\n")


def test_empty_list_on_a_terminal_says_so_on_stderr(local, tty):
    result = local("queues", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "No queues.\n")


def test_empty_list_piped_prints_nothing(local):
    result = local("queues", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_pretty_is_indented_json(local):
    queue_id = create(local, "orders")
    result = local("queues", "list", "--pretty")
    assert result.stdout.startswith('{\n  "queues": [\n    {\n      "id": "' + queue_id + '",\n')


def test_jq_prints_raw_strings(local):
    create(local, "a.io/one")
    create(local, "a.io/two")
    result = local("queues", "list", "--jq", ".queues[].name")
    assert (result.exit_code, result.stdout) == (0, "a.io/one\na.io/two\n")


def test_quiet_and_json_together_are_refused(local):
    result = local("queues", "list", "-q", "--json")
    assert result.exit_code == 2
    assert "cannot be combined" in result.stderr


def test_color_only_on_a_terminal_and_never_with_no_color(local, tty, monkeypatch):
    create(local, "orders")
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "xterm-256color")
    assert "\x1b[1m" in local("queues", "list").stdout  # bold header
    assert "\x1b[" not in local("--no-color", "queues", "list").stdout
    assert "\x1b[" not in local("queues", "list", env={"NO_COLOR": "1"}).stdout
    # no-color.org: only a non-empty NO_COLOR turns color off
    assert "\x1b[1m" in local("queues", "list", env={"NO_COLOR": ""}).stdout
    assert "\x1b[" in local("queues", "list", "--pretty").stdout  # highlighted JSON


def test_never_color_on_a_pipe(local, monkeypatch):
    create(local, "orders")
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    for args in (["queues", "list"], ["queues", "list", "--pretty"], ["queues", "get", "orders"]):
        assert "\x1b[" not in local(*args).stdout


api = stubs.api  # the fixture


BOTH = pytest.mark.parametrize("gen", ["2023-04", "2024-08"])


@BOTH
def test_queues_list_shows_the_name_or_alias_in_the_second_column(api, httpmock, gen):
    expect(httpmock, "GET", "/queues", queues_reply(gen, (Q, "orders"), (L, "mails")))
    result = api("queues", "list", gen=gen)
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{Q}\torders\n{L}\tmails\n", "")


@BOTH
def test_queues_list_on_a_terminal(api, httpmock, tty, gen):
    expect(httpmock, "GET", "/queues", queues_reply(gen, (Q, "orders")))
    result = api("queues", "list", gen=gen)
    assert result.stdout == f"ID                     NAME\n{Q}  orders\n"


@BOTH
def test_queues_list_json_is_the_reply_unchanged(api, httpmock, gen):
    reply = queues_reply(gen, (Q, "orders"))
    expect(httpmock, "GET", "/queues", reply)
    assert json.loads(api("queues", "list", "--json", gen=gen).stdout) == reply


@pytest.mark.parametrize(
    ("expr", "why"),
    [
        (".[", "syntax error, unexpected end of file at line 1, column 2"),
        ("{a:}", "syntax error, unexpected '}' at line 1, column 4"),
        ("nosuchfn(1)", "nosuchfn/1 is not defined at line 1, column 1"),
    ],
)
def test_a_jq_syntax_error_is_one_whole_line(local, expr, why):
    result = local("queues", "list", "--jq", expr)
    assert (result.exit_code, result.stdout) == (2, "")
    assert json.loads(result.stderr) == {"title": f"invalid jq expression: {why}", "status": None, "exit_code": 2}
