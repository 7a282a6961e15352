"""What `auto` remembers is a hint: a server restarted as another generation on the same port is noticed
by the first reply that contradicts it, and a write whose reply lost a given field never exits 0."""

from __future__ import annotations

import json

import pytest

from tests.conftest import start_server

SCHEMA = '{"a": {"type": "string"}}'


@pytest.fixture
def restarted(cli, tmp_path):
    """A 2023-04 server that `auto` has seen (and remembered), restarted as 2022-05 on the same port."""
    first = start_server(tmp_path / "first.sqlite3", "--no-deliver", "--api-version", "2023-04")
    args = ["--api-endpoint", first.endpoint, "--api-key", first.key]
    try:
        seen = cli(*args, "queues", "create", "seen", "-q")
        assert seen.exit_code == 0, seen.stderr
    finally:
        first.stop()
    port = first.endpoint.rsplit(":", 1)[1].split("/")[0]
    second = start_server(tmp_path / "second.sqlite3", "--no-deliver", "--api-version", "2022-05", "--port", port)
    assert second.endpoint == first.endpoint
    yield second
    second.stop()


def cached(tmp_path) -> dict:
    return json.loads((tmp_path / "cache" / "generations.json").read_text())


def test_a_schema_the_restarted_server_dropped_is_an_error_that_names_it(cli, restarted, tmp_path):
    args = ("--api-endpoint", restarted.endpoint, "--api-key", restarted.key)
    assert list(cached(tmp_path).values()) == ["2023-04"]
    result = cli(*args, "queues", "create", "s22", "--schema", SCHEMA)
    assert (result.exit_code, result.stdout) == (1, "")
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"Warning: {restarted.endpoint} now answers as the 2022-05 API generation, not 2023-04 as remembered; "
        "it is remembered now"
    )
    assert lines[1].startswith("Error: the server dropped the schema you gave: the queue was stored (")
    assert lines[2] == "Hint: this endpoint answers as the 2022-05 API generation, which has no queue schemas"
    assert list(cached(tmp_path).values()) == ["2022-05"]
    status = cli(*args, "auth", "status")
    assert "api_version\t2022-05 (auto: " in status.stdout


def test_a_message_name_the_restarted_server_dropped_is_an_error_that_names_it(cli, restarted, tmp_path):
    args = ("--api-endpoint", restarted.endpoint, "--api-key", restarted.key)
    made = cli(*args, "--api-version", "2022-05", "queues", "create", "plain", "-q")  # pinned: the cache stays
    queue_id = made.stdout.strip()
    assert list(cached(tmp_path).values()) == ["2023-04"]
    result = cli(*args, "messages", "add", queue_id, "x", "--name", "m1")
    assert (result.exit_code, result.stdout) == (1, "")
    assert "now answers as the 2022-05 API generation, not 2023-04 as remembered" in result.stderr
    assert "Error: the server dropped the name you gave: the message was stored (" in result.stderr
    assert "which has no message names on create" in result.stderr
    assert list(cached(tmp_path).values()) == ["2022-05"]


def test_a_pinned_generation_the_server_contradicts_never_exits_0(cli, restarted):
    args = ("--api-endpoint", restarted.endpoint, "--api-key", restarted.key, "--api-version", "2023-04")
    result = cli(*args, "queues", "create", "s22", "--schema", SCHEMA)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[1:] == [
        "Hint: the API generation is pinned to 2023-04 (by --api-version): this server may speak another; try auto"
    ]
    assert result.stderr.startswith("Error: the server dropped the schema you gave: the queue was stored (")


def test_auth_status_detects_afresh(cli, restarted, tmp_path):
    args = ("--api-endpoint", restarted.endpoint, "--api-key", restarted.key)
    cli(*args, "--api-version", "2022-05", "queues", "create", "there", "-q")
    status = cli(*args, "auth", "status")
    assert status.exit_code == 0, status.stderr
    assert "api_version\t2022-05 (auto: detected" in status.stdout
    assert list(cached(tmp_path).values()) == ["2022-05"]


@pytest.mark.parametrize(("remembered", "served"), [("2023-04", "2024-08"), ("2024-08", "2023-04")])
def test_a_400_asking_for_the_other_word_for_a_name_detects_again_and_sends_again(cli, tmp_path, remembered, served):
    server = start_server(tmp_path / "s.sqlite3", "--no-deliver", "--api-version", served)
    try:
        from discue_cli.api.generations import write_cache

        write_cache(tmp_path / "cache" / "generations.json", server.endpoint, remembered)
        args = ("--api-endpoint", server.endpoint, "--api-key", server.key)
        result = cli(*args, "queues", "create", "named", "-q")
        assert result.exit_code == 0, result.stderr
        assert result.stderr == (
            f"Warning: {server.endpoint} now answers as the {served} API generation, not {remembered} as "
            "remembered; it is remembered now\n"
        )
        listed = cli(*args, "queues", "list")
        assert listed.stdout == f"{result.stdout.strip()}\tnamed\n"  # a listing's queues are {id, name}
        assert list(cached(tmp_path).values()) == [served]
    finally:
        server.stop()


KEY = ("--api-key", "k" * 20)


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
