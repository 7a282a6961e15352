"""Tracebacks that must not happen and exit codes that must be right: a full disk, a broken config,
absurd input, a non-ASCII key, deleting the key in use."""

from __future__ import annotations

import os

import httpx
import pytest

from discue_cli.errors import UsageError
from discue_cli.settings import resolve, save_config
from tests.commands.helpers import config_file


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


def test_a_non_ascii_key_is_a_usage_error(cli):
    result = cli("--api-endpoint", "http://api.test/v1", "--api-key", "clé-0123456789abcdef", "queues", "list")
    assert (result.exit_code, result.stderr) == (2, "Error: --api-key: the API key must be printable ASCII\n")


# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


KEY = "abcdefghijklmnop-secret-1234"


def write_profiles(profiles: dict) -> None:
    save_config(config_file(), {"profiles": profiles})


def test_defaults():
    s = resolve({}, {"DISCUE_CONFIG": os.environ["DISCUE_CONFIG"]})
    assert (s.profile, s.api_key, s.api_endpoint, s.local, s.timeout, s.retries) == (
        "default",
        None,
        "https://api.discue.io/v1",
        False,
        30.0,
        3,
    )


def test_precedence_flag_over_env_over_profile_over_default():
    write_profiles({"default": {"api_endpoint": "http://profile.test/v1", "timeout": 5, "retries": 1}})
    env = {
        "DISCUE_CONFIG": os.environ["DISCUE_CONFIG"],
        "DISCUE_API_ENDPOINT": "http://env.test/v1",
        "DISCUE_TIMEOUT": "7",
    }
    s = resolve({"timeout": "9"}, env)
    assert (s.api_endpoint, s.timeout, s.retries) == ("http://env.test/v1", 9.0, 1)
    s = resolve({}, env)
    assert s.timeout == 7.0
    s = resolve({}, {"DISCUE_CONFIG": os.environ["DISCUE_CONFIG"]})
    assert (s.api_endpoint, s.timeout) == ("http://profile.test/v1", 5.0)


def test_profile_from_flag_or_env():
    write_profiles({"default": {"api_key": "default-key-xxxxxxxx"}, "staging": {"api_key": "staging-key-xxxxxxxx"}})
    env = {"DISCUE_CONFIG": os.environ["DISCUE_CONFIG"]}
    assert resolve({"profile": "staging"}, env).api_key == "staging-key-xxxxxxxx"
    assert resolve({}, {**env, "DISCUE_PROFILE": "staging"}).api_key == "staging-key-xxxxxxxx"
    assert resolve({}, env).api_key == "default-key-xxxxxxxx"


@pytest.mark.parametrize(
    "flags,message",
    [
        ({"timeout": "soon"}, "--timeout: expected a number of seconds, got 'soon'"),
        ({"retries": "-1"}, "--retries: retries must be from 0 to 20"),
        ({"api_endpoint": "ftp://x"}, "--api-endpoint: 'ftp://x' is not an http(s) URL"),
    ],
)
def test_bad_values_are_usage_errors(flags, message):
    with pytest.raises(UsageError) as caught:
        resolve(flags, {"DISCUE_CONFIG": os.environ["DISCUE_CONFIG"]})
    assert caught.value.title == message


def test_bad_env_value_exit_2_naming_the_variable(cli):
    result = cli("queues", "list", env={"DISCUE_TIMEOUT": "abc"})
    assert (result.exit_code, result.stderr) == (2, "Error: DISCUE_TIMEOUT: expected a number of seconds, got 'abc'\n")


def test_malformed_config_is_a_usage_error(cli):
    config_file().parent.mkdir(parents=True)
    config_file().write_text("[profiles.default\n")
    result = cli("queues", "list")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: config file {config_file()} is not valid TOML")


def test_group_readable_config_draws_a_warning_on_every_command(cli):
    cli("config", "set", "local", "true")
    config_file().chmod(0o644)
    result = cli("queues", "list")
    assert result.exit_code == 0
    assert result.stderr == (
        f"Warning: config file {config_file()} is readable by others; it may hold an API key "
        f"(chmod 600 {config_file()})\n"
    )


def test_local_from_the_config_profile(cli):
    cli("config", "set", "local", "true")
    assert cli("queues", "create", "from-config", "-q").exit_code == 0
    assert cli("--local", "queues", "list").stdout.endswith("\tfrom-config\n")


def test_env_local(cli):
    assert cli("queues", "create", "from-env", env={"DISCUE_LOCAL": "1"}).exit_code == 0


def test_key_from_env_is_sent(cli, setup):
    seen = []
    setup.transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200, json={"queues": []}))
    result = cli("queues", "list", env={"DISCUE_API_KEY": KEY, "DISCUE_API_ENDPOINT": "http://e.test/v1"})
    assert result.exit_code == 0
    assert str(seen[0].url) == "http://e.test/v1/queues"
    assert seen[0].headers["X-API-KEY"] == KEY


@pytest.mark.parametrize(
    "args", [["auth", "logout"], ["config", "set", "retries", "2"], ["config", "unset", "api_key"]]
)
def test_a_config_that_cannot_be_written_is_one_line_exit_2(cli, args):
    cli("config", "set", "api_key", KEY)
    (config_file().parent / "config.toml.tmp").mkdir()  # the atomic write's temporary file cannot be made
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: cannot write the config file {config_file()}: ")
    assert len(result.stderr.splitlines()) == 1


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
