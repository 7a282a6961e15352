"""Precedence flag > env > profile > default, the config file's safety, and auth login/status/logout."""

from __future__ import annotations

import httpx
import pytest

from tests.commands.helpers import config_file

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


KEY = "abcdefghijklmnop-secret-1234"


def test_auth_status_with_a_wrong_key_exit_3(cli, served):
    result = cli("--api-endpoint", served.endpoint, "--api-key", "not-the-key-1234567", "auth", "status")
    assert result.exit_code == 3
    assert "not-the-key-1234567" not in result.stdout + result.stderr
    assert result.stdout.splitlines()[3:5] == ["api_key\t****4567", "api_key_source\t--api-key"]
    assert result.stdout.splitlines()[7] == "status\tfailing: Unauthorized"


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
