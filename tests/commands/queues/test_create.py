"""queues list|get|create|update|delete through the real app against the local discue."""

from __future__ import annotations

import json

import pytest

from tests import stubs
from tests.commands.queues.helpers import create
from tests.conftest import UUID
from tests.stubs import NAME, Q, expect, named, queues_reply

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


def test_create_piped_prints_one_tsv_line(local):
    result = local("queues", "create", "myapp.io/deletion-request-queue")
    assert result.exit_code == 0
    queue_id = result.stdout.split("\t")[0]
    assert result.stdout == f"{queue_id}\tmyapp.io/deletion-request-queue\t[]\n"
    assert result.stderr == ""


def test_create_existing_name_is_a_conflict_exit_5(local):
    create(local, "orders")
    result = local("queues", "create", "orders")
    assert result.exit_code == 5
    assert result.stdout == ""
    assert result.stderr == (
        "Error: Unprocessable Entity (422)\nHint: a queue named 'orders' may exist already; --if-not-exists reuses it\n"
    )


def test_create_if_not_exists_prints_the_existing_queue(local):
    queue_id = create(local, "orders")
    result = local("queues", "create", "orders", "--if-not-exists", "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{queue_id}\n", "")


def test_bad_jq_is_a_usage_error_before_any_request(local):
    result = local("-v", "queues", "create", "never", "--jq", ".[")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith('{"title":"invalid jq expression')
    assert local("queues", "list").stdout == ""


def test_create_on_a_terminal_is_key_value(local, tty):
    result = local("queues", "create", "orders")
    queue_id = result.stdout.split()[1]
    assert UUID.fullmatch(queue_id)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"id         {queue_id}\nname       orders\nlisteners  -\n",
        "",
    )


api = stubs.api  # the fixture


BOTH = pytest.mark.parametrize("gen", ["2023-04", "2024-08"])


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
