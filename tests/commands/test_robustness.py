"""Tracebacks that must not happen and exit codes that must be right: a full disk, a broken config,
absurd input, a non-ASCII key, deleting the key in use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import clean_env

DISCUE = Path(sys.executable).with_name("discue")


@pytest.mark.parametrize("args", [["queues", "list"], ["queues", "list", "--json"], ["queues", "get", "q"]])
def test_a_full_disk_on_stdout_is_one_line_exit_1(tmp_path, args):
    env = clean_env(DISCUE_LOCAL="1", DISCUE_LOCAL_DB=str(tmp_path / "l.sqlite3"))
    subprocess.run([str(DISCUE), "queues", "create", "q"], env=env, check=True, capture_output=True)
    with open("/dev/full", "w") as full:
        result = subprocess.run([str(DISCUE), *args], stdout=full, stderr=subprocess.PIPE, text=True, env=env)
    expected = (
        '{"title":"cannot write output: No space left on device","status":null,"exit_code":1}\n'
        if "--json" in args
        else "Error: cannot write output: No space left on device\n"
    )
    assert (result.returncode, result.stderr) == (1, expected)


@pytest.mark.parametrize(
    "text, message",
    [
        ("profiles = 1\n", "'profiles' must be a table ([profiles.NAME]), not a number"),
        ("[profiles]\ndefault = 'x'\n", "profile 'default' must be a table ([profiles.default]), not a string"),
    ],
)
@pytest.mark.parametrize(
    "args",
    [["config", "list"], ["config", "get", "timeout"], ["config", "set", "timeout", "3"], ["auth", "logout"],
     ["auth", "login", "--with-key", "--no-verify"], ["--local", "queues", "list"]],
)  # fmt: skip
def test_a_config_of_the_wrong_shape_is_exit_2_naming_the_file(cli, isolated, text, message, args):
    path = isolated / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)
    result = cli(*args, input="k" * 20 + "\n")
    assert (result.exit_code, result.stderr) == (2, f"Error: config file {path}: {message}\n")


def test_json_nested_too_deeply_is_a_usage_error(cli):
    result = cli("--local", "api", "POST", "/queues", "--data", "[" * 100000)
    assert (result.exit_code, result.stderr) == (2, "Error: --data is not usable JSON: nested too deeply\n")


def test_a_non_ascii_key_is_a_usage_error(cli):
    result = cli("--api-endpoint", "http://api.test/v1", "--api-key", "clé-0123456789abcdef", "queues", "list")
    assert (result.exit_code, result.stderr) == (2, "Error: --api-key: the API key must be printable ASCII\n")


def test_deleting_the_key_in_use_with_others_deletes_it_last(cli, httpmock):
    key = "abc-secret-0123456789"
    deleted: list[str] = []
    keys = {"k1": {"id": "k1", "name": "mine", "key": "abc"}, "k2": {"id": "k2", "name": "other", "key": "xyz"}}
    for key_id, body in keys.items():
        httpmock.register("GET", f"/v1/api_keys/{key_id}", {"api_key": body})

        def delete(request, key_id=key_id):
            deleted.append(key_id)
            return httpx.Response(204)

        httpmock.register("DELETE", f"/v1/api_keys/{key_id}", delete)
    result = cli(
        "--api-endpoint", "http://api.test/v1", "--api-key", key, "api-keys", "delete", "k1", "k2", "--yes", "-q"
    )
    assert result.exit_code == 0, result.stderr
    assert deleted == ["k2", "k1"]
    assert result.stdout == "k2\nk1\n"
    assert result.stderr == "mine is the key this command uses: it is deleted last.\n"


def test_deleting_keys_checks_every_target_before_deleting_any(cli, httpmock):
    httpmock.register("GET", "/v1/api_keys/k1", {"api_key": {"id": "k1", "name": "a", "key": "zzz"}})
    httpmock.register("GET", "/v1/api_keys/nope", {"title": "Not Found", "status": 404}, status=404)
    result = cli(
        "--api-endpoint", "http://api.test/v1", "--api-key", "k" * 20, "api-keys", "delete", "k1", "nope", "--yes"
    )
    assert (result.exit_code, result.stderr) == (4, "Error: Not Found (404)\nHint: there is no API key 'nope'\n")
