"""listeners, messages, api-keys, api-clients and the raw `api` command, pinned on a terminal and a pipe."""

from __future__ import annotations

import json

import pytest

from tests.commands.helpers import make_queue

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def test_names_that_look_like_markup_are_shown_literally_on_a_terminal(local, tty):
    make_queue(local)
    message_id = local("messages", "add", "orders", "x", "-q").stdout.strip()
    local("messages", "update", "orders", message_id, "--name", "[/red] [bold]not bold[/bold] :smile:")
    result = local("messages", "list", "--embed", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert "  [/red] [bold]not bold[/bold] :smile:  " in result.stdout
    shown = local("messages", "get", "orders", message_id).stdout
    assert "name  [/red] [bold]not bold[/bold] :smile:\n" in shown


SNEAKY = "a\u009b31mb\u202ec\u2066d\x7fe"  # CSI (C1), a bidi override and isolate, DEL


@pytest.mark.parametrize("fmt", [["--json"], ["--pretty"]])
@pytest.mark.parametrize("color", ["1", ""])
def test_json_on_a_terminal_escapes_c1_controls_and_bidi_overrides_and_stays_the_same_json(local, tty, fmt, color):
    local("queues", "create", SNEAKY)
    result = local("queues", "get", SNEAKY, *fmt, env={"NO_COLOR": color})
    assert result.exit_code == 0, result.stderr
    shown = result.stdout
    assert not any(ch in shown for ch in "\u009b\u202e\u2066\x7f")
    assert "a\\u009b31mb\\u202ec\\u2066d\\u007fe" in shown
    if color == "1":
        assert json.loads(shown)["queue"]["name"] == SNEAKY


def test_piped_json_carries_the_bytes_as_the_server_sent_them(local):
    local("queues", "create", SNEAKY)
    for fmt in ("--json", "--pretty"):
        assert json.loads(local("queues", "get", SNEAKY, fmt).stdout)["queue"]["name"] == SNEAKY
        assert SNEAKY in local("queues", "get", SNEAKY, fmt).stdout
