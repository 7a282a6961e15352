"""The installed `discue` binary against `discue emulator serve`, over real HTTP, as a user would use it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import UUID, clean_env
from tests.emulator.stored import stored_data

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")

DISCUE = Path(sys.executable).with_name("discue")


def discue(served, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DISCUE), *args], capture_output=True, text=True, env=served.env(), input=input, timeout=60
    )


def test_queue_listener_messages_round_trip(served):
    created = discue(served, "queues", "create", "myapp.io/deletion-request-queue", "-q")
    assert created.returncode == 0, created.stderr
    queue_id = created.stdout.strip()
    assert UUID.fullmatch(queue_id)

    listener = discue(
        served,
        "listeners",
        "add",
        "myapp.io/deletion-request-queue",
        "myapp.io/listener",
        "--notify-url",
        "http://127.0.0.1:9/notify",
        "--liveness-url",
        "http://127.0.0.1:9/live",
        "-q",
    )
    assert listener.returncode == 0, listener.stderr

    for payload in ('{"userId": "1"}', '{"userId": "2"}'):
        added = discue(served, "messages", "add", "myapp.io/deletion-request-queue", payload, "-q")
        assert added.returncode == 0 and UUID.fullmatch(added.stdout.strip())

    listed = discue(served, "messages", "list", "myapp.io/deletion-request-queue", "--embed", "--json")
    body = json.loads(listed.stdout)
    assert [set(m) for m in body["_embedded"]["messages"]] == [{"id", "name"}] * 2  # as the docs show them
    assert stored_data(served.db) == ['{"userId": "1"}', '{"userId": "2"}']

    refused = discue(served, "queues", "delete", "myapp.io/deletion-request-queue")
    assert refused.returncode == 2
    deleted = discue(served, "queues", "delete", "myapp.io/deletion-request-queue", "--yes", "-q")
    assert (deleted.returncode, deleted.stdout) == (0, f"{queue_id}\n")
    assert discue(served, "queues", "list").stdout == ""
    assert discue(served, "listeners", "list").stdout == ""


def test_wrong_key_exit_3_and_the_key_is_never_printed(served):
    env = clean_env()
    result = subprocess.run(
        [
            str(DISCUE),
            "-v",
            "--api-endpoint",
            served.endpoint,
            "--api-key",
            "wrong-secret-abcdef123456",
            "queues",
            "list",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 3
    assert "wrong-secret-abcdef123456" not in result.stdout + result.stderr
    assert result.stderr.splitlines()[0].startswith(f"GET {served.endpoint}/queues 401 ")
    assert result.stderr.splitlines()[1] == "Error: Unauthorized (401)"


@pytest.mark.skipif(shutil.which("jq") is None, reason="the jq program is not installed")
def test_output_pipes_into_jq_and_cut(served):
    discue(served, "queues", "create", "a.io/one")
    discue(served, "queues", "create", "a.io/two")
    names = subprocess.run(
        f"'{DISCUE}' queues list --json | jq -r '.queues[].name'",
        shell=True,
        capture_output=True,
        text=True,
        env=served.env(),
    )
    assert names.stdout == "a.io/one\na.io/two\n"
    cut = subprocess.run(
        f"'{DISCUE}' queues list | cut -f2",
        shell=True,
        capture_output=True,
        text=True,
        env=served.env(),
    )
    assert cut.stdout == "a.io/one\na.io/two\n"


def test_local_mode_needs_no_key_and_no_network(tmp_path):
    env = clean_env(
        DISCUE_LOCAL_DB=str(tmp_path / "l.sqlite3"), DISCUE_CONFIG=str(tmp_path / "c.toml"), DISCUE_LOCAL="1"
    )
    created = subprocess.run(
        [str(DISCUE), "queues", "create", "local.q", "-q"], capture_output=True, text=True, env=env
    )
    assert created.returncode == 0, created.stderr
    listed = subprocess.run([str(DISCUE), "queues", "list"], capture_output=True, text=True, env=env)
    assert listed.stdout == f"{created.stdout.strip()}\tlocal.q\n"
