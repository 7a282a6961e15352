"""One escape function serves `messages watch`, `listen` and `apply`: each shows a terminal the same
evil text the same way."""

from __future__ import annotations

from discue_cli.output.formats import delivery_line, escape_controls
from discue_cli.output.plan import printable

# An escape sequence, a bell, a C1 CSI, a line separator and a right-to-left override.
EVIL = "red \x1b[31m alert\x07\x9b2J\u2028next\u202eevil"
SHOWN = "red \\x1b[31m alert\\x07\\x9b2J\\u2028next\\u202eevil"


def test_one_escape_serves_watch_listen_and_apply():
    assert escape_controls(EVIL) == SHOWN
    assert escape_controls("a\u2029b\u2066c\u2069") == "a\\u2029b\\u2066c\\u2069"
    assert escape_controls("one\ntwo\u2028", keep_newlines=True) == "one\ntwo\\u2028"
    assert delivery_line({"message_id": "m1", "data": EVIL}, None, terminal=True, when="12:00:00") == (
        f"12:00:00  m1  {SHOWN}"
    )
    assert printable("a\\b\n\u202e") == "a\\\\b\\n\\u202e"  # apply's plan lines: a backslash doubled too
