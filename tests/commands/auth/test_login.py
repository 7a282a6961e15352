"""Precedence flag > env > profile > default, the config file's safety, and auth login/status/logout."""

from __future__ import annotations

import stat

import pytest

from tests.commands.helpers import config_file

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


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
