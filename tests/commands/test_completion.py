"""How a candidate is written for each shell: data, never code, and nothing a terminal acts on."""

from __future__ import annotations

import pytest

from discue_cli.commands.completion import printable, quoted, split_line


def test_control_format_and_separator_characters_are_dropped():
    assert printable("a\x1b]0;t\x07b\u009bc\u202ed\u2028e\u2029f\u200bg") == "a]0;tbcdefg"


@pytest.mark.parametrize(
    ("name", "bash", "powershell"),
    [
        ("orders", "orders", "orders"),
        ("myapp.io/orders-1", "myapp.io/orders-1", "myapp.io/orders-1"),
        ("$(touch x)", "\\$\\(touch\\ x\\)", "'$(touch x)'"),
        ("it's", "it\\'s", "'it''s'"),
        ("a\u2019b", "a\u2019b", "'a\u2019\u2019b'"),  # PowerShell takes typographic quotes as quotes
        ("~/x; y", "\\~/x\\;\\ y", "'~/x; y'"),
        ("é", "é", "é"),
    ],
)
def test_bash_escapes_and_powershell_single_quotes(name, bash, powershell):
    assert quoted(name, "bash") == bash
    assert quoted(name, "powershell") == powershell
    assert quoted(name, "zsh") == quoted(name, "fish") == name  # compadd and fish quote what they insert


def test_a_line_being_typed_splits_as_the_shell_would():
    assert split_line("discue queues get 'b) ; x") == [
        ("discue", "discue"),
        ("queues", "queues"),
        ("get", "get"),
        ("b) ; x", "'b) ; x"),
    ]
    assert split_line("discue a\\ b ") == [("discue", "discue"), ("a b", "a\\ b"), ("", "")]
