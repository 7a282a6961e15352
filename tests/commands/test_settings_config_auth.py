"""Precedence flag > env > profile > default, the config file's safety, and auth login/status/logout."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import httpx
import pytest

from discue_cli.errors import UsageError
from discue_cli.settings import resolve, save_config

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")

KEY = "abcdefghijklmnop-secret-1234"


def config_file() -> Path:
    return Path(os.environ["DISCUE_CONFIG"])


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


def test_config_set_writes_0600_and_get_list_read_back(cli):
    assert cli("config", "set", "api_endpoint", "http://x.test/v1").exit_code == 0
    assert stat.S_IMODE(config_file().stat().st_mode) == 0o600
    assert cli("config", "get", "api_endpoint").stdout == "http://x.test/v1\n"
    assert cli("config", "set", "api_key", KEY).exit_code == 0
    listing = cli("config", "list")
    assert listing.stdout == "api_endpoint\thttp://x.test/v1\napi_key\t****1234\n"
    assert KEY not in listing.stdout + listing.stderr
    assert cli("config", "get", "api_key").stdout == "****1234\n"


def test_config_acts_on_the_profile(cli):
    cli("--profile", "staging", "config", "set", "retries", "5")
    assert cli("--profile", "staging", "config", "get", "retries").stdout == "5\n"
    result = cli("config", "get", "retries")
    assert (result.exit_code, result.stderr) == (4, "Error: retries is not set in profile 'default'\n")


def test_config_rejects_unknown_keys_and_bad_values(cli):
    result = cli("config", "set", "colour", "red")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: unknown setting 'colour' (known: api_key, api_endpoint, local, timeout, retries, api_version)\n",
    )
    result = cli("config", "set", "local", "maybe")
    assert (result.exit_code, result.stderr) == (2, "Error: local: expected true or false, got 'maybe'\n")
    assert not config_file().exists()


def test_config_unset_and_path(cli):
    cli("config", "set", "timeout", "3")
    assert cli("config", "unset", "timeout").exit_code == 0
    assert cli("config", "list").stdout == ""
    assert cli("config", "path").stdout == f"{config_file()}\n"


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


def test_auth_login_with_key_reads_stdin_verifies_and_stores_0600(cli, served, monkeypatch):
    monkeypatch.delenv("DISCUE_API_VERSION")  # the generation line as `auto` shows it
    result = cli("--api-endpoint", served.endpoint, "auth", "login", "--with-key", input=served.key + "\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert served.key not in result.stderr
    assert stat.S_IMODE(config_file().stat().st_mode) == 0o600
    status = cli("--api-endpoint", served.endpoint, "auth", "status")
    assert status.exit_code == 0
    assert status.stdout == (
        f"profile\tdefault\nendpoint\t{served.endpoint}\nendpoint_source\t--api-endpoint\n"
        f"api_key\t****{served.key[-4:]}\napi_key_source\tprofile 'default' in {config_file()}\n"
        f"config\t{config_file()}\napi_version\tauto: not known yet (writes send `name` until a reply tells)\n"
        "status\tok\n"
    )
    assert served.key not in status.stdout + status.stderr


def test_auth_login_with_a_wrong_key_stores_nothing_exit_3(cli, served):
    result = cli("--api-endpoint", served.endpoint, "auth", "login", "--with-key", input="wrong-key-123456789\n")
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: Unauthorized (401)\n")
    assert not config_file().exists()


def test_auth_login_without_a_terminal_never_prompts(cli):
    result = cli("auth", "login")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no terminal to ask for the key on\nHint: pipe it in with `discue auth login --with-key`\n"
    )


def test_auth_status_with_a_wrong_key_exit_3(cli, served):
    result = cli("--api-endpoint", served.endpoint, "--api-key", "not-the-key-1234567", "auth", "status")
    assert result.exit_code == 3
    assert "not-the-key-1234567" not in result.stdout + result.stderr
    assert result.stdout.splitlines()[3:5] == ["api_key\t****4567", "api_key_source\t--api-key"]
    assert result.stdout.splitlines()[7] == "status\tfailing: Unauthorized"


def test_auth_logout_removes_the_key(cli):
    cli("config", "set", "api_key", KEY)
    result = cli("auth", "logout")
    assert result.exit_code == 0
    assert "api_key" not in config_file().read_text()
    result = cli("--api-endpoint", "http://x.test/v1", "queues", "list")
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: no API key\n")


def test_key_from_env_is_sent(cli, setup):
    seen = []
    setup.transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200, json={"queues": []}))
    result = cli("queues", "list", env={"DISCUE_API_KEY": KEY, "DISCUE_API_ENDPOINT": "http://e.test/v1"})
    assert result.exit_code == 0
    assert str(seen[0].url) == "http://e.test/v1/queues"
    assert seen[0].headers["X-API-KEY"] == KEY


def test_auth_status_on_a_terminal_is_aligned(cli, served, tty, monkeypatch):
    monkeypatch.delenv("DISCUE_API_VERSION")  # the generation line as `auto` shows it
    monkeypatch.setenv("COLUMNS", "200")  # wide enough for the test's temporary config path
    result = cli("--api-endpoint", served.endpoint, "--api-key", served.key, "auth", "status")
    assert result.exit_code == 0
    assert result.stdout == (
        "profile          default\n"
        f"endpoint         {served.endpoint}\n"
        "endpoint_source  --api-endpoint\n"
        f"api_key          ****{served.key[-4:]}\n"
        "api_key_source   --api-key\n"
        f"config           {config_file()}\n"
        "api_version      auto: not known yet (writes send `name` until a reply tells)\n"
        "status           ok\n"
    )


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


def test_auth_status_names_the_environment_as_the_source_of_a_wrong_key(cli, served):
    cli("config", "set", "api_key", KEY)
    env = {"DISCUE_API_KEY": "wrong-key-from-env-1234", "DISCUE_API_ENDPOINT": served.endpoint}
    result = cli("auth", "status", env=env)
    assert result.exit_code == 3
    assert result.stdout == (
        f"profile\tdefault\nendpoint\t{served.endpoint}\nendpoint_source\tDISCUE_API_ENDPOINT\n"
        f"api_key\t****1234\napi_key_source\tDISCUE_API_KEY\nconfig\t{config_file()}\n"
        "api_version\t2022-05 (pinned by DISCUE_API_VERSION)\nstatus\tfailing: Unauthorized\n"
    )
    assert result.stderr == (
        "Error: Unauthorized (401)\n"
        "Hint: the key comes from DISCUE_API_KEY, which wins over any profile: fix or unset it\n"
    )


def test_auth_status_names_the_profile_and_the_default_as_sources(cli, setup):
    setup.transport = httpx.MockTransport(lambda r: httpx.Response(200, json={"queues": []}))
    cli("--profile", "ci", "config", "set", "api_key", KEY)
    result = cli("--profile", "ci", "auth", "status")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:5] == [
        "endpoint\thttps://api.discue.io/v1",
        "endpoint_source\tdefault",
        f"api_key\t****{KEY[-4:]}",
        f"api_key_source\tprofile 'ci' in {config_file()}",
    ]


def test_auth_login_under_an_env_key_warns_that_the_env_wins(cli, served):
    env = {"DISCUE_API_KEY": "some-other-key-123456"}
    result = cli("--api-endpoint", served.endpoint, "auth", "login", "--with-key", input=served.key + "\n", env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"Stored the API key and endpoint for profile 'default' in {config_file()}.\n"
        "Warning: DISCUE_API_KEY is set in this environment and wins over the stored key; "
        "unset it (`unset DISCUE_API_KEY`) to use the profile\n"
    )


def test_auth_login_stores_the_endpoint_it_verified_against_without_a_profile_warning(cli, served):
    args = ("--profile", "ci", "--api-endpoint", served.endpoint, "auth", "login", "--with-key")
    result = cli(*args, input=served.key + "\n")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Stored the API key and endpoint for profile 'ci' in {config_file()}.\n"
    assert config_file().read_text() == f'[profiles.ci]\napi_key = "{served.key}"\napi_endpoint = "{served.endpoint}"\n'
    status = cli("--profile", "ci", "auth", "status")
    assert (status.exit_code, status.stderr) == (0, "")


def test_logout_removes_an_emptied_profile_and_config_set_keeps_comments(cli):
    config_file().parent.mkdir(parents=True)
    config_file().write_text(
        "# my discue settings\n\n[profiles.default]\nretries = 2  # flaky network\n\n"
        '# CI below\n[profiles.ci]\napi_key = "secret-key-0123456789"\n'
    )
    config_file().chmod(0o600)
    assert cli("--profile", "ci", "auth", "logout").exit_code == 0
    assert cli("config", "set", "timeout", "5").exit_code == 0
    assert config_file().read_text() == (
        "# my discue settings\n\n[profiles.default]\nretries = 2  # flaky network\ntimeout = 5.0\n\n# CI below\n"
    )
    assert stat.S_IMODE(config_file().stat().st_mode) == 0o600
    assert cli("config", "unset", "retries").exit_code == 0
    assert cli("config", "unset", "timeout").exit_code == 0
    assert config_file().read_text() == "# my discue settings\n\n"  # an emptied profile goes with its comments
