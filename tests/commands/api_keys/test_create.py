"""Every noun in the 2023-04 and 2024-08 generations, against stubs whose replies are copied from
discue's API docs of April 2023 and the Terraform provider's API
(docs/generations.md; 2022-05 runs against the local discue elsewhere).
httpmock fails a test on any request no stub answers and on any stub never called, so each test also
pins exactly which requests a command sends."""

from __future__ import annotations

import pytest

from tests import stubs
from tests.commands.api_keys.helpers import key_object
from tests.stubs import NAME, SECRET, K, L, M, Q, expect

api = stubs.api  # the fixture


def test_api_keys_create_reads_the_id_from_the_self_link(api, httpmock):
    reply = {"api_key": SECRET, "_links": {"self": {"href": f"https://api.discue.io/api_keys/{K}"}}}
    expect(httpmock, "POST", "/api_keys", reply, {"name": "ci"})
    result = api("api-keys", "create", "--name", "ci", gen="2023-04")
    assert (result.exit_code, result.stdout) == (0, f"{K}\tci\t{SECRET}\n")
    assert result.stderr == "Store the key now: the API never shows it again.\n"


def test_api_keys_create_finds_the_id_when_the_reply_has_only_the_secret(api, httpmock):
    # The 2023-04 docs' reply: the secret, and a self link that points at a message.
    link = f"https://api.discue.io/queues/{Q}/messages/{M}"
    expect(httpmock, "POST", "/api_keys", {"api_key": SECRET, "_links": {"self": {"href": link}}}, {"name": "ci"})
    older = {"id": L, "name": "ci", "key": "xyz", "created_at": 1}
    listing = {"api_keys": [older, key_object("2023-04", [])]}
    expect(httpmock, "GET", "/api_keys", listing)
    assert api("api-keys", "create", "--name", "ci", gen="2023-04").stdout == f"{K}\tci\t{SECRET}\n"


@pytest.mark.parametrize("gen", ["2023-04", "2024-08"])
def test_api_keys_create_with_scopes_in_the_generations_shape(api, httpmock, gen):
    scopes_list = [
        {"resource": "queues", "access": "write", "targets": ["*"]},
        {"resource": "messages", "access": "read", "targets": [Q, L]},
    ]
    scopes = {
        "2023-04": scopes_list,
        "2024-08": {"queues": {"access": "write", "targets": ["*"]}, "messages": {"access": "read", "targets": [Q, L]}},
    }[gen]
    body = {NAME[gen]: "ci", "status": "disabled", "scopes": scopes}
    if gen == "2024-08":  # the whole key object, its secret in `key`
        reply = {"api_key": {**key_object(gen, scopes), "key": SECRET}}
    else:
        reply = {"api_key": SECRET, "id": K}
    expect(httpmock, "POST", "/api_keys", reply, body)
    args = ("api-keys", "create", "--name", "ci", "--status", "disabled")
    result = api(*args, "--scope", "queues:write", "--scope", f"messages:read:{Q},{L}", gen=gen)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split("\t")[0] == K and SECRET in result.stdout


def test_api_keys_create_piped_prints_id_name_and_key_of_the_2024_08_key_object(api, httpmock):
    reply = {"api_key": {**key_object("2024-08", {}), "key": SECRET}}
    expect(httpmock, "POST", "/api_keys", reply, {"alias": "ci"})
    result = api("api-keys", "create", "--name", "ci", gen="2024-08")
    assert (result.exit_code, result.stdout) == (0, f"{K}\tci\t{SECRET}\n")


def test_api_keys_create_on_a_terminal_shows_the_2024_08_secret_once(api, httpmock, tty):
    reply = {"api_key": {**key_object("2024-08", {}), "key": SECRET}}
    expect(httpmock, "POST", "/api_keys", reply, {})
    result = api("api-keys", "create", gen="2024-08")
    assert result.stdout == (
        f"id          {K}\n"
        "name        ci\n"
        "status      enabled\n"
        f"key         {SECRET}\n"
        "scopes\n"
        "created_at  2022-02-11 22:00:38Z\n"
    )
    assert result.stderr == "Store the key now: the API never shows it again.\n"


def test_api_keys_create_says_so_when_no_reply_tells_the_new_keys_id(api, httpmock):
    expect(httpmock, "POST", "/api_keys", {"api_key": SECRET, "_links": {}}, {})
    expect(httpmock, "GET", "/api_keys", {"api_keys": [{"id": L, "name": "old", "key": "zzz"}]})
    result = api("api-keys", "create", gen="2023-04")
    assert (result.exit_code, result.stdout) == (0, f"\t\t{SECRET}\n")
    assert result.stderr == (
        "Warning: the API's reply does not say the new key's id; `discue api-keys list` shows it\n"
        "Store the key now: the API never shows it again.\n"
    )


# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def test_api_key_create_on_a_terminal(local, tty):
    result = local("api-keys", "create", "--name", "ci")
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["id", "name", "api_key"]
    assert lines[1] == "name     ci"
    assert result.stderr == "Store the key now: the API never shows it again.\n"


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
