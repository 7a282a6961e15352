"""Server text never reaches a terminal or an error line raw: control characters are shown escaped.
TSV and JSON on a pipe stay as the server sent them (TSV escapes only \\\\, tab, CR and LF)."""

from __future__ import annotations

import httpx

from discue_cli.output.formats import escape_controls, message_line

EVIL = "evil\x1b]0;pwned\x07\x1b[2J\x9b31m"
SHOWN = "evil\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m"
ENDPOINT = ("--api-endpoint", "http://api.test/v1", "--api-key", "k" * 20)


def test_escape_controls_shows_every_control_character():
    assert escape_controls(EVIL) == SHOWN
    assert escape_controls("a\tb\nc\rd\x7f") == "a\\tb\\nc\\rd\\x7f"
    assert escape_controls("line one\nline two\x1b", keep_newlines=True) == "line one\nline two\\x1b"
    assert escape_controls("héllo ✓ 日本") == "héllo ✓ 日本"


def test_an_error_title_is_escaped(cli, setup):
    setup.transport = httpx.MockTransport(lambda r: httpx.Response(400, json={"title": EVIL, "status": 400}))
    result = cli(*ENDPOINT, "queues", "list")
    assert (result.exit_code, result.stderr) == (1, f"Error: {SHOWN} (400)\n")


def test_a_terminal_table_and_key_value_view_are_escaped(cli, setup, tty):
    queue = {"id": "q1", "name": EVIL}
    setup.transport = httpx.MockTransport(
        lambda r: httpx.Response(200, json={"queues": [queue]} if r.url.path.endswith("/queues") else {"queue": queue})
    )
    listed = cli(*ENDPOINT, "--no-color", "queues", "list")
    assert "\x1b" not in listed.stdout and "\x07" not in listed.stdout and "\x9b" not in listed.stdout
    assert "evil\\x1b]0;pwned" in listed.stdout
    shown = cli(*ENDPOINT, "--no-color", "queues", "get", "q1")
    assert "\x1b" not in shown.stdout and "evil\\x1b]0;pwned" in shown.stdout


def test_ids_on_a_terminal_are_escaped_but_tsv_and_json_on_a_pipe_are_not(cli, setup, tty):
    setup.transport = httpx.MockTransport(lambda r: httpx.Response(200, json={"queues": [{"id": EVIL, "name": "n"}]}))
    assert cli(*ENDPOINT, "queues", "list", "-q").stdout == SHOWN + "\n"
    setup.tty = {}
    assert cli(*ENDPOINT, "queues", "list").stdout == f"{EVIL}\tn\n"
    assert cli(*ENDPOINT, "queues", "list", "--jq", ".queues[0].id").stdout == EVIL + "\n"


def test_watch_lines_on_a_terminal_are_escaped():
    message = {"id": "m1", "data": EVIL, "created_at": 0}
    assert message_line(message, as_json=False, terminal=True) == f"00:00:00  m1  {SHOWN}"
    assert message_line(message, as_json=False, terminal=False) == f"m1\t\t{EVIL}\t0"


def test_a_batch_line_error_is_escaped(cli, setup, tmp_path):
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"title": EVIL, "status": 400})

    setup.transport = httpx.MockTransport(answer)
    (tmp_path / "in.txt").write_text("one\n")
    result = cli(*ENDPOINT, "messages", "add", "6f1c1a4e-2f4b-4c1e-9a51-0d6b1c1f2a3b", "--batch", "in.txt")
    assert result.stderr.splitlines()[0] == f"line 1: {SHOWN} (400)"
