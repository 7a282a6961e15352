"""Precedence flag > env > profile > default, the config file's safety, and auth login/status/logout."""

from __future__ import annotations

import stat

import pytest

from tests.commands.helpers import config_file

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


KEY = "abcdefghijklmnop-secret-1234"


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
