"""Every noun in the 2023-04 and 2024-08 generations, against stubs whose replies are copied from
../shared/api-reference-2023/ and API-GENERATIONS.md §3 (2022-05 runs against the local discue elsewhere).
httpmock fails a test on any request no stub answers and on any stub never called, so each test also
pins exactly which requests a command sends."""

from __future__ import annotations

import json

import pytest

from tests import stubs
from tests.stubs import NAME, SECRET, K, L, M, Q, expect, listener, named, queues_reply

api = stubs.api  # the fixture
BOTH = pytest.mark.parametrize("gen", ["2023-04", "2024-08"])


# -- queues


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


@BOTH
def test_queues_get_by_name_or_alias_costs_one_list_call(api, httpmock, gen):
    expect(httpmock, "GET", "/queues", queues_reply(gen, (L, "other"), (Q, "orders")))
    expect(httpmock, "GET", f"/queues/{Q}", {"queue": named(gen, Q, "orders")})
    result = api("queues", "get", "orders", gen=gen)
    assert (result.exit_code, result.stdout) == (0, f"{Q}\torders\n")


@BOTH
def test_a_21_character_id_goes_straight_into_the_path_with_exactly_one_request(api, httpmock, gen):
    expect(httpmock, "GET", f"/queues/{Q}", {"queue": named(gen, Q, "orders")})
    assert api("queues", "get", Q, "-q", gen=gen).stdout == f"{Q}\n"
    assert len(httpmock.requests) == 1


@BOTH
def test_queues_create_with_a_schema_writes_the_generations_name_field(api, httpmock, gen):
    schema = {"userId": {"type": "string", "min": 3}, "tags": {"type": "array", "items": {"type": "string"}}}
    reply = {"queue": named(gen, Q, "orders", schema=schema)}
    expect(httpmock, "POST", "/queues", reply, body={NAME[gen]: "orders", "schema": schema})
    result = api("queues", "create", "orders", "--schema", json.dumps(schema), "-q", gen=gen)
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{Q}\n", "")


def test_queues_create_reads_the_schema_from_a_file(api, httpmock, tmp_path):
    schema = {"person": {"type": "object", "props": {"name": {"type": "string", "pattern": "abc"}}}}
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    reply = {"queue": {"id": Q, "name": "o", "schema": schema}}
    expect(httpmock, "POST", "/queues", reply, {"name": "o", "schema": schema})
    assert api("queues", "create", "o", "--schema", "@schema.json", "-q", gen="2023-04").stdout == f"{Q}\n"


@BOTH
def test_queues_create_if_not_exists_finds_the_existing_queue_by_name_or_alias(api, httpmock, gen):
    expect(httpmock, "POST", "/queues", {"title": "Unprocessable Entity", "status": 422}, {NAME[gen]: "orders"}, 422)
    expect(httpmock, "GET", "/queues", queues_reply(gen, (Q, "orders")))
    expect(httpmock, "GET", f"/queues/{Q}", {"queue": named(gen, Q, "orders")})
    result = api("queues", "create", "orders", "--if-not-exists", "-q", gen=gen)
    assert (result.exit_code, result.stdout) == (0, f"{Q}\n")


@BOTH
def test_queues_update_name_and_no_schema(api, httpmock, gen):
    expect(httpmock, "GET", "/queues", queues_reply(gen, (Q, "orders")))
    expect(httpmock, "PUT", f"/queues/{Q}", {"queue": named(gen, Q, "jobs")}, {NAME[gen]: "jobs", "schema": None})
    result = api("queues", "update", "orders", "--name", "jobs", "--no-schema", gen=gen)
    assert (result.exit_code, result.stdout) == (0, f"{Q}\tjobs\n")


@BOTH
def test_queues_delete(api, httpmock, gen):
    expect(httpmock, "GET", f"/queues/{Q}", {"queue": named(gen, Q, "orders")})
    expect(httpmock, "DELETE", f"/queues/{Q}", {"_links": {}})
    result = api("queues", "delete", Q, "--yes", "-q", gen=gen)
    assert (result.exit_code, result.stdout) == (0, f"{Q}\n")


# -- listeners


@BOTH
def test_listeners_list_and_get_by_name_or_alias(api, httpmock, gen):
    expect(httpmock, "GET", f"/queues/{Q}/listeners", {"listeners": [listener(gen)]}, None)
    result = api("listeners", "list", Q, gen=gen)
    assert result.stdout.split("\t")[:2] == [L, "mailer"]
    expect(httpmock, "GET", f"/queues/{Q}/listeners", {"listeners": [listener(gen)]})
    expect(httpmock, "GET", f"/queues/{Q}/listeners/{L}", {"listener": listener(gen)})
    assert api("listeners", "get", Q, "mailer", "-q", gen=gen).stdout == f"{L}\n"


@BOTH
def test_listeners_add_writes_the_generations_name_field(api, httpmock, gen):
    body = {NAME[gen]: "mailer", "notify_url": "https://myapp.io/hook", "liveness_url": "https://myapp.io/live"}
    expect(httpmock, "POST", f"/queues/{Q}/listeners", {"listener": listener(gen)}, body)
    urls = ("--notify-url", "https://myapp.io/hook", "--liveness-url", "https://myapp.io/live")
    assert api("listeners", "add", Q, "mailer", *urls, "-q", gen=gen).stdout == f"{L}\n"


@BOTH
def test_listeners_add_if_not_exists_creates_no_duplicate(api, httpmock, gen):
    expect(httpmock, "GET", f"/queues/{Q}/listeners", {"listeners": [listener(gen)]})
    expect(httpmock, "GET", f"/queues/{Q}/listeners/{L}", {"listener": listener(gen)})
    urls = ("--notify-url", "https://myapp.io/hook", "--liveness-url", "https://myapp.io/live")
    result = api("listeners", "add", Q, "mailer", *urls, "--if-not-exists", "-q", gen=gen)
    assert (result.exit_code, result.stdout) == (0, f"{L}\n")
    assert [r.method for r in httpmock.requests] == ["GET", "GET"]  # no POST: no duplicate


@BOTH
def test_listeners_update_and_delete(api, httpmock, gen):
    expect(httpmock, "PUT", f"/queues/{Q}/listeners/{L}", {"listener": listener(gen, "sender")}, {NAME[gen]: "sender"})
    assert api("listeners", "update", Q, L, "--name", "sender", "-q", gen=gen).stdout == f"{L}\n"
    expect(httpmock, "GET", f"/queues/{Q}/listeners/{L}", {"listener": listener(gen, "sender")})
    expect(httpmock, "DELETE", f"/queues/{Q}/listeners/{L}", {"_links": {}})
    assert api("listeners", "delete", Q, L, "--yes", "-q", gen=gen).stdout == f"{L}\n"


# -- messages


@BOTH
def test_messages_add_with_a_name_list_get_update_delete(api, httpmock, gen):
    reply = {"message": named(gen, M, "m-1")}
    expect(httpmock, "POST", f"/queues/{Q}/messages", reply, {NAME[gen]: "m-1", "data": '{"id": 1}'})
    assert api("messages", "add", Q, '{"id": 1}', "--name", "m-1", "-q", gen=gen).stdout == f"{M}\n"
    expect(httpmock, "GET", f"/queues/{Q}/messages", {"messages": [named(gen, M, "m-1")]})
    assert api("messages", "list", Q, gen=gen).stdout == f"{M}\tm-1\n"
    expect(httpmock, "GET", f"/queues/{Q}/messages/{M}", reply)
    assert api("messages", "get", Q, M, "-q", gen=gen).stdout == f"{M}\n"
    expect(httpmock, "PUT", f"/queues/{Q}/messages/{M}", {"message": named(gen, M, "m-2")}, {NAME[gen]: "m-2"})
    assert api("messages", "update", Q, M, "--name", "m-2", gen=gen).stdout == f"{M}\tm-2\n"
    expect(httpmock, "GET", f"/queues/{Q}/messages/{M}", reply)
    expect(httpmock, "DELETE", f"/queues/{Q}/messages/{M}", {"_links": {}})
    assert api("messages", "delete", Q, M, "--yes", "-q", gen=gen).stdout == f"{M}\n"


def test_messages_list_without_embedded_when_embed_is_asked_in_2023_04(api, httpmock):
    full = {"messages": [{"id": M, "name": None, "data": "hello"}]}
    stub = expect(httpmock, "GET", "/messages", full)
    expect(httpmock, "GET", "/queues", {"queues": []})  # for the QUEUE column of a listing across queues
    assert api("messages", "list", "--embed", gen="2023-04").stdout == f"{M}\t\t\thello\n"
    assert "_embed" not in str(stub.calls[0].url)  # the parameter is gone since 2023-04


# -- api keys


def key_object(gen: str, scopes) -> dict:
    return named(gen, K, "ci", status="enabled", key=SECRET[:3], scopes=scopes, created_at=1644616838173)


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


@BOTH
def test_api_keys_list_update_scopes_and_delete(api, httpmock, gen):
    scopes = [{"resource": "queues", "access": "read", "targets": ["*"]}] if gen == "2023-04" else {}
    expect(httpmock, "GET", "/api_keys", {"api_keys": [key_object(gen, scopes)]})
    assert api("api-keys", "list", gen=gen).stdout.split("\t")[:2] == [K, "ci"]
    sent = (
        [{"resource": "events", "access": "read", "targets": ["*"]}]
        if gen == "2023-04"
        else {"events": {"access": "read", "targets": ["*"]}}
    )
    expect(httpmock, "PUT", f"/api_keys/{K}", {}, {"scopes": sent})
    expect(httpmock, "GET", f"/api_keys/{K}", {"api_key": key_object(gen, sent)})
    assert api("api-keys", "update", K, "--scope", "events:read", "-q", gen=gen).stdout == f"{K}\n"
    expect(httpmock, "GET", f"/api_keys/{K}", {"api_key": key_object(gen, sent)})
    expect(httpmock, "DELETE", f"/api_keys/{K}", {"_links": {}})
    assert api("api-keys", "delete", K, "--yes", "-q", gen=gen).stdout == f"{K}\n"


# -- api clients


@BOTH
def test_api_clients_create_and_update(api, httpmock, gen):
    reply = {"api_client": named(gen, K, "example.com/dev")}
    expect(httpmock, "POST", "/api_clients", reply, None)
    result = api("api-clients", "create", gen=gen)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"{K}\texample.com/dev\n",
        "Created API client example.com/dev.\n",
    )
    renamed = {"api_client": named(gen, K, "example.com/prod")}
    expect(httpmock, "PUT", f"/api_clients/{K}", renamed, {NAME[gen]: "example.com/prod"})
    result = api("api-clients", "update", K, "--name", "example.com/prod", gen=gen)
    assert (result.exit_code, result.stdout) == (0, f"{K}\texample.com/prod\n")


def test_api_keys_create_says_so_when_no_reply_tells_the_new_keys_id(api, httpmock):
    expect(httpmock, "POST", "/api_keys", {"api_key": SECRET, "_links": {}}, {})
    expect(httpmock, "GET", "/api_keys", {"api_keys": [{"id": L, "name": "old", "key": "zzz"}]})
    result = api("api-keys", "create", gen="2023-04")
    assert (result.exit_code, result.stdout) == (0, f"\t\t{SECRET}\n")
    assert result.stderr == (
        "Warning: the API's reply does not say the new key's id; `discue api-keys list` shows it\n"
        "Store the key now: the API never shows it again.\n"
    )
