"""Findings of a new-user trial and an adversarial review, each pinned where it was reproduced."""

from __future__ import annotations

import json

import pytest

KEY = ("--api-key", "k" * 20)


@pytest.mark.parametrize("quiet", ["-q", "--quiet"])
def test_api_keys_create_refuses_quiet_before_any_request_the_secret_would_be_lost(cli, httpmock, quiet):
    """httpmock has no stub: any request fails the test."""
    result = cli("--api-endpoint", "http://api.test/v1", *KEY, "api-keys", "create", "--name", "ci", quiet)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: -q/--quiet would print only the id and lose the new key's secret (the API never shows it again)\n"
        "Hint: leave out -q (id, name and key, tab-separated when piped), or pick fields with --jq\n"
    )


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


def test_the_retry_command_of_a_batch_keeps_the_global_flags_quoted_and_credentials_hidden(cli, setup, tmp_path):
    import httpx

    setup.transport = httpx.MockTransport(lambda request: httpx.Response(400, json={"title": "Bad Request"}))
    (tmp_path / "in put.txt").write_text("one\n")
    queue_id = "6f1c1a4e-2f4b-4c1e-9a51-0d6b1c1f2a3b"  # an id: no list call
    result = cli(
        "--api-endpoint", "http://user:pw@api.test/v1", "--api-key", "k" * 20, "--profile", "ci team",
        "--api-version", "2023-04", "--timeout", "5", "--retries", "1", "-v",
        "messages", "add", queue_id, "--batch", "in put.txt", "-q",
    )  # fmt: skip
    assert result.exit_code == 1
    [failed] = tmp_path.glob("discue-failed-*.txt")
    assert result.stderr.splitlines()[-2:] == [
        f"The lines not sent are in {failed.resolve()}; send them with: discue --api-endpoint "
        f"'http://***@api.test/v1' --profile 'ci team' --timeout 5 --retries 1 --api-version 2023-04 "
        f"messages add {queue_id} --batch {failed.resolve()}",
        "(the endpoint's credentials are shown as ***: put them back)",
    ]
    assert "k" * 20 not in result.stderr and "pw" not in result.stderr


def test_the_retry_command_of_a_local_batch_says_local(local, tmp_path):
    local("queues", "create", "my queue")
    (tmp_path / "in.txt").write_bytes(b"\xff\n")  # not UTF-8: fails locally
    result = local("messages", "add", "my queue", "--batch", "in.txt")
    [failed] = tmp_path.glob("discue-failed-*.txt")
    assert result.stderr.splitlines()[-1] == (
        f"The lines not sent are in {failed.resolve()}; "
        f"send them with: discue --local messages add 'my queue' --batch {failed.resolve()}"
    )


def test_a_403_hints_at_the_key_s_scopes_and_status(cli, httpmock):
    title = "Forbidden: this API key has no write scope on queues for this target"
    httpmock.register("POST", "/v1/queues", {"title": title, "status": 403}, status=403)
    result = cli("--api-endpoint", "http://api.test/v1", *KEY, "--api-version", "2023-04", "queues", "create", "q")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == (
        f"Error: {title} (403)\n"
        "Hint: the key lacks the scope for this, or is disabled: `discue api-keys get ID` shows its scopes and "
        "status, `discue auth status` which key is in use and where it comes from\n"
    )


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


@pytest.mark.parametrize(
    ("value", "kind"), [("5", "number"), ("true", "boolean"), ("[1]", "list"), ("{ a = 1 }", "table")]
)
def test_an_api_key_that_is_not_a_string_in_the_config_is_exit_2_naming_the_file(local, isolated, value, kind):
    config = isolated / "config" / "config.toml"
    config.parent.mkdir()
    config.write_text(f"[profiles.default]\napi_key = {value}\n")
    config.chmod(0o600)
    result = local("queues", "list")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: {config} [profiles.default] api_key: expected a string, not a {kind}\n"


SNEAKY = "a\u009b31mb\u202ec\u2066d\x7fe"  # CSI (C1), a bidi override and isolate, DEL


@pytest.mark.parametrize("fmt", [["--json"], ["--pretty"]])
@pytest.mark.parametrize("color", ["1", ""])
def test_json_on_a_terminal_escapes_c1_controls_and_bidi_overrides_and_stays_the_same_json(
    local, tty, fmt, color
):
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


def test_a_404_on_a_listing_hints_that_the_endpoint_may_be_wrong(cli, httpmock):
    httpmock.register("GET", "/v2/queues", {"title": "Not Found", "status": 404}, status=404)
    result = cli("--api-endpoint", "http://u:pw@api.test/v2", *KEY, "--api-version", "auto", "queues", "list")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr == (
        "Error: Not Found (404)\n"
        "Hint: nothing lists at http://***@api.test/v2/queues: is the endpoint right (--api-endpoint, "
        "DISCUE_API_ENDPOINT, `discue auth status`)?\n"
    )


def test_a_404_on_one_resource_keeps_its_own_hint(cli, httpmock):
    queue_id = "6f1c1a4e-2f4b-4c1e-9a51-0d6b1c1f2a3b"
    httpmock.register("GET", f"/v1/queues/{queue_id}", {"title": "Not Found", "status": 404}, status=404)
    result = cli("--api-endpoint", "http://api.test/v1", *KEY, "queues", "get", queue_id)
    assert (result.exit_code, result.stderr) == (4, f"Error: Not Found (404)\nHint: there is no queue '{queue_id}'\n")


def test_a_pinned_generation_the_server_may_not_speak_is_hinted_at(cli, httpmock):
    httpmock.register("GET", "/v1/domains", {"title": "Not Found", "status": 404}, status=404)
    httpmock.register("POST", "/v1/queues", {"title": "name: required", "status": 400}, status=400)
    pinned = ("--api-endpoint", "http://api.test/v1", *KEY, "--api-version", "2024-08")
    hint = "Hint: the API generation is pinned to 2024-08 (by --api-version): this server may speak another; try auto\n"
    result = cli(*pinned, "queues", "create", "pin24")
    assert (result.exit_code, result.stderr) == (1, "Error: name: required (400)\n" + hint)
    result = cli(*pinned, "domains", "list")
    assert result.exit_code == 4
    assert result.stderr == (
        "Error: Not Found (404)\n"
        "Hint: nothing lists at http://api.test/v1/domains: is the endpoint right (--api-endpoint, "
        "DISCUE_API_ENDPOINT, `discue auth status`)? Or: the API generation is pinned to 2024-08 (by --api-version): "
        "this server may speak another; try auto\n"
    )
