"""Choosing the generation: `auto` learning it and remembering it across runs, pinning one, refusing what a
generation lacks before any request, bad input, and what `auth status` says."""

from __future__ import annotations

import json

import httpx
import pytest

from tests import stubs
from tests.stubs import ENDPOINT, Q, expect

api = stubs.api  # the fixture

SCHEMA = '{"userId": {"type": "string"}}'


def pairs(result) -> dict:
    """`auth status` piped: KEY<TAB>VALUE lines."""
    return dict(line.split("\t", 1) for line in result.stdout.splitlines())


def cache(isolated) -> dict:
    return json.loads((isolated / "cache" / "generations.json").read_text())


def test_auto_learns_from_one_get_before_the_first_write_and_remembers_it_across_runs(api, httpmock, isolated):
    expect(httpmock, "GET", "/queues", {"queues": [{"id": Q, "alias": "orders"}]})
    expect(httpmock, "POST", "/queues", {"queue": {"id": "x" * 21, "alias": "jobs"}}, {"alias": "jobs"})
    assert api("queues", "create", "jobs", "-q").stdout == "x" * 21 + "\n"
    assert cache(isolated) == {ENDPOINT: "2024-08"}
    # A second run: no detection GET, the write goes out as 2024-08 at once.
    body = {"alias": "mailer", "notify_url": "https://a.io/n", "liveness_url": "https://a.io/l"}
    expect(httpmock, "POST", f"/queues/{Q}/listeners", {"listener": {"id": "L" * 21, **body}}, body)
    result = api("listeners", "add", Q, "mailer", "--notify-url", "https://a.io/n", "--liveness-url", "https://a.io/l")
    assert result.exit_code == 0, result.stderr
    assert [f"{r.method} {r.url.path}" for r in httpmock.requests] == [
        "GET /v1/queues",
        "POST /v1/queues",
        f"POST /v1/queues/{Q}/listeners",
    ]


def test_auto_with_no_queues_writes_name_and_learns_from_the_reply(api, httpmock, isolated):
    expect(httpmock, "GET", "/queues", {"queues": [], "_links": {}})
    expect(httpmock, "POST", "/queues", {"queue": {"id": Q, "name": "jobs", "schema": None}}, {"name": "jobs"})
    assert api("queues", "create", "jobs", "-q").exit_code == 0
    assert cache(isolated) == {ENDPOINT: "2023-04"}


def test_auto_reads_send_no_detection_request(api, httpmock, isolated):
    expect(httpmock, "GET", f"/queues/{Q}/messages/{'M' * 21}", {"message": {"id": "M" * 21, "name": None}})
    assert api("messages", "get", Q, "M" * 21, "-q").stdout == "M" * 21 + "\n"
    assert not (isolated / "cache" / "generations.json").exists()


def test_a_generation_learned_under_auto_refuses_what_it_lacks_without_a_request(api, httpmock, isolated):
    embedded = {"queues": [{"id": "q"}], "_embedded": {"queues": [{"id": "q", "name": "a", "listeners": []}]}}
    expect(httpmock, "GET", "/queues", embedded)
    assert api("queues", "list", "--embed").exit_code == 0
    result = api("stats")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "Error: the 2022-05 API generation has no /stats/messages (it is in 2023-04, 2024-08)\n"
        "Hint: the generation was remembered from earlier replies "
        f"({isolated / 'cache' / 'generations.json'}); --api-version chooses another\n",
    )
    assert len(httpmock.requests) == 1


@pytest.mark.parametrize(
    ("args", "feature"),
    [
        (("--api-version", "2022-05", "queues", "create", "a", "--schema", SCHEMA), "queue schemas"),
        (("--api-version", "2022-05", "queues", "update", "a", "--schema", SCHEMA), "queue schemas"),
        (("--api-version", "2022-05", "messages", "add", "a", "data", "--name", "n"), "message names on create"),
        (("--api-version", "2022-05", "api-keys", "create", "--scope", "queues:write"), "API key scopes"),
        (("--api-version", "2022-05", "api-keys", "update", Q, "--scope", "queues:write"), "API key scopes"),
        (("--api-version", "2022-05", "api-keys", "create", "--status", "enabled"), "API key status on create"),
        (("--api-version", "2022-05", "api-clients", "update", Q, "--name", "n"), "PUT /api_clients/{id}"),
        (("--api-version", "2022-05", "stats"), "/stats/messages"),
        (("--api-version", "2022-05", "events"), "/events"),
        (("--api-version", "2023-04", "domains", "list"), "domains"),
        (("--api-version", "2023-04", "domains", "get", "d"), "domains"),
        (("--api-version", "2023-04", "domains", "create", "site", "--hostname", "a.myapp.io"), "domains"),
        (("--api-version", "2023-04", "domains", "delete", "d", "--yes"), "domains"),
    ],
)
def test_pinned_generation_refuses_what_it_lacks_before_any_request(api, httpmock, args, feature):
    result = api(*args)
    generation = args[1]
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"Error: the {generation} API generation has no {feature} (it is in ")
    assert "Hint: the generation was pinned by --api-version; --api-version chooses another\n" in result.stderr
    assert httpmock.requests == []


def test_the_local_discue_refuses_a_schema_in_2022_05(local):
    result = local("--api-version", "2022-05", "queues", "create", "a", "--schema", SCHEMA)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: the 2022-05 API generation has no queue schemas")
    assert local("queues", "list").stdout == ""


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ("{bad", "Error: --schema is not valid JSON: "),
        ("[1]", "Error: --schema: the schema must be an object of field rules\n"),
        ("{}", "Error: --schema: the schema must have at least one field rule (--no-schema removes a schema)\n"),
        ('{"a": {"type": "text"}}', "Error: --schema: a: type must be one of object, array, string, number\n"),
        ('{"a": {"type": "object"}}', "Error: --schema: a: an object rule needs props, an object of at least one"),
        ('{"a": {"type": "array", "items": 3}}', "Error: --schema: a.items: a rule must be an object with a type\n"),
        ('{"a": {"type": "string", "required": "no"}}', "Error: --schema: a: required must be true or false\n"),
        ("@missing.json", "Error: cannot read missing.json: No such file or directory\n"),
    ],
)
def test_a_malformed_schema_is_exit_2_before_any_request(api, httpmock, schema, problem):
    result = api("queues", "create", "a", "--schema", schema)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(problem)
    assert httpmock.requests == []


@pytest.mark.parametrize(
    ("scope", "problem"),
    [
        ("queues", "expected RESOURCE:ACCESS[:TARGET[,TARGET...]]"),
        ("queue:write", "RESOURCE must be one of api_clients, api_keys, channels, domains, events, listeners"),
        ("queues:admin", "ACCESS must be read or write"),
        ("queues:read:a,,b", "TARGETs are ids or *, separated by commas"),
        ("queues:read:a:b", "expected RESOURCE:ACCESS[:TARGET[,TARGET...]]"),
    ],
)
def test_a_malformed_scope_is_exit_2_before_any_request(api, httpmock, scope, problem):
    result = api("api-keys", "create", "--scope", scope)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"Error: --scope '{scope}': ")
    assert problem in result.stderr
    assert httpmock.requests == []


def test_a_scope_given_twice_cannot_be_written_in_2024_08(api, httpmock):
    scopes = ("--scope", "queues:read", "--scope", "queues:write:a")
    result = api("--api-version", "2024-08", "api-keys", "create", *scopes)
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: --scope: 'queues' is given twice; the 2024-08 generation keeps one scope per resource\n",
    )
    assert httpmock.requests == []


@pytest.mark.parametrize(
    ("where", "source"),
    [("flag", "--api-version"), ("env", "DISCUE_API_VERSION"), ("config", "[profiles.default] api_version")],
)
def test_an_unknown_generation_name_is_exit_2_with_the_choices(api, httpmock, isolated, where, source):
    args, env = [], None
    if where == "flag":
        args = ["--api-version", "2025-01"]
    elif where == "env":
        env = {"DISCUE_API_VERSION": "2025-01"}
    else:
        (isolated / "config").mkdir()
        (isolated / "config" / "config.toml").write_text('[profiles.default]\napi_version = "2025-01"\n')
    result = api(*args, "queues", "list", env=env)
    assert result.exit_code == 2
    assert result.stderr.endswith(
        f"{source}: unknown API generation '2025-01' (expected 2022-05, 2023-04, 2024-08 or auto)\n"
    )
    assert httpmock.requests == []


def test_config_set_api_version_pins_it(cli):
    assert cli("config", "set", "api_version", "2024-08").exit_code == 0
    assert cli("config", "get", "api_version").stdout == "2024-08\n"
    assert cli("config", "set", "api_version", "latest").exit_code == 2


def test_auth_status_says_which_generation_and_how_it_was_found(api, httpmock, isolated):
    expect(httpmock, "GET", "/queues", {"queues": [{"id": Q, "name": "orders"}]})
    result = api("auth", "status")
    assert result.exit_code == 0, result.stderr
    lines = pairs(result)
    remembered = isolated / "cache" / "generations.json"
    assert lines["api_version"] == f"2023-04 (auto: detected from this endpoint's replies, remembered in {remembered})"
    expect(httpmock, "GET", "/queues", {"queues": [{"id": Q, "name": "orders"}]})
    lines = pairs(api("auth", "status"))  # detected afresh, not taken from the cache
    afresh = f"2023-04 (auto: detected afresh from this endpoint's replies, remembered in {remembered})"
    assert lines["api_version"] == afresh
    expect(httpmock, "GET", "/queues", {"queues": []})
    lines = pairs(api("--api-version", "2024-08", "auth", "status"))
    assert lines["api_version"] == "2024-08 (pinned by --api-version)"


def test_auth_status_when_nothing_tells_the_generation(api, httpmock):
    expect(httpmock, "GET", "/queues", {"queues": []})
    lines = pairs(api("auth", "status"))
    assert lines["api_version"] == "auto: not known yet (writes send `name` until a reply tells)"


def test_auth_status_local(local):
    lines = pairs(local("auth", "status"))
    assert lines["api_version"].endswith(" (chosen by the local discue (auto))")
    lines = pairs(local("--api-version", "2022-05", "auth", "status"))
    assert lines["api_version"] == "2022-05 (pinned by --api-version)"


def test_the_local_discue_follows_a_pinned_generation_from_the_environment(local):
    result = local("stats", env={"DISCUE_API_VERSION": "2022-05"})
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: the 2022-05 API generation has no /stats/messages (it is in 2023-04, 2024-08)\n"
        "Hint: the generation was pinned by DISCUE_API_VERSION; --api-version chooses another\n",
    )


def test_a_reply_that_is_not_an_object_of_the_expected_shape_does_not_crash_detection(api, httpmock):
    httpmock.register("GET", "/v1/queues", lambda r: httpx.Response(200, json={"queues": "nope", "_links": 3}))
    result = api("queues", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
