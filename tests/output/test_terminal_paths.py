"""Every terminal path escapes server text (U+009B, U+202E, U+2028 once reached a terminal from
`export` and from --json errors), and errors are JSON only when asked for or when stderr is no terminal."""

from __future__ import annotations

import json
import tomllib

import httpx

ENDPOINT = ("--api-endpoint", "http://api.test/v1", "--api-key", "k" * 20, "--api-version", "2023-04")
# A C1 CSI, a right-to-left override and a line separator: each acts on or misleads a terminal.
TRICKY = "a\u009b31mb\u202ec\u2028d"
RAW = ("\u009b", "\u202e", "\u2028")


def serve(setup, status: int, body: dict) -> None:
    setup.transport = httpx.MockTransport(lambda r: httpx.Response(status, json=body))


def test_export_writes_those_characters_as_toml_escapes(local, tty):
    made = local("queues", "create", TRICKY, "-q")
    assert made.exit_code == 0, made.stderr
    result = local("export")
    assert result.exit_code == 0, result.stderr
    assert not any(c in result.stdout for c in RAW)
    assert 'name = "a\\u009b31mb\\u202ec\\u2028d"' in result.stdout
    assert tomllib.loads(result.stdout)["queues"][0]["name"] == TRICKY  # the same file, read back


def test_a_json_error_on_a_terminal_escapes_server_text_and_stays_json(cli, setup, tty):
    serve(setup, 400, {"title": TRICKY, "status": 400})
    result = cli(*ENDPOINT, "queues", "list", "--json")
    assert result.exit_code == 1
    assert not any(c in result.stderr for c in RAW)
    assert json.loads(result.stderr)["title"] == TRICKY.split("\u2028")[0]  # cut at its first line break


def test_a_json_error_on_a_pipe_is_the_server_text(cli, setup):
    title = "a\u009b31mb\u202ec"  # (a title is cut at its first line break, U+2028 included)
    serve(setup, 400, {"title": title, "status": 400})
    result = cli(*ENDPOINT, "queues", "list", "--json")
    assert json.loads(result.stderr) == {"title": title, "status": 400, "exit_code": 1}


def test_a_jq_syntax_error_typed_at_a_terminal_is_a_human_line(cli, setup):
    setup.tty = {"stdin_tty": True, "stderr_tty": True}  # stdout piped or not: a person reads stderr
    result = cli(*ENDPOINT, "queues", "list", "--jq", ".[")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("Error: invalid jq expression: ")
    assert result.stderr.count("\n") == 1


def test_a_jq_error_with_stderr_piped_is_json(cli, setup):
    result = cli(*ENDPOINT, "queues", "list", "--jq", ".[")
    assert result.exit_code == 2
    error = json.loads(result.stderr)
    assert error["exit_code"] == 2 and error["title"].startswith("invalid jq expression: ")


def test_json_asked_for_at_a_terminal_errors_as_json(cli, setup, tty):
    serve(setup, 404, {"title": "Not Found", "status": 404})
    result = cli(*ENDPOINT, "queues", "get", "_Tzrg1O3jk4_FZTAEThNq", "--json")
    assert result.exit_code == 4
    assert json.loads(result.stderr)["status"] == 404
