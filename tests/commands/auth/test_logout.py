"""Precedence flag > env > profile > default, the config file's safety, and auth login/status/logout."""

from __future__ import annotations

import stat

import pytest

from tests.commands.helpers import config_file

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")


KEY = "abcdefghijklmnop-secret-1234"


def test_auth_logout_removes_the_key(cli):
    cli("config", "set", "api_key", KEY)
    result = cli("auth", "logout")
    assert result.exit_code == 0
    assert "api_key" not in config_file().read_text()
    result = cli("--api-endpoint", "http://x.test/v1", "queues", "list")
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: no API key\n")


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
