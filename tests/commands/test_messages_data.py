"""`messages add QUEUE DATA`: data that starts like JSON but does not parse is sent as text, with a warning."""

from __future__ import annotations

import json
import os

import pytest

from discue_cli.settings import local_db_path
from tests.emulator.stored import data_of


@pytest.fixture
def orders(local):
    assert local("queues", "create", "orders").exit_code == 0


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ("{bad json", "line 1 column 2: Expecting property name enclosed in double quotes"),
        ("  [1, 2", "line 1 column 8: Expecting ',' delimiter"),
        ('{"id": 1}}', "line 1 column 10: Extra data"),
    ],
)
def test_data_that_starts_like_json_but_is_not_is_sent_with_a_warning(local, orders, data, where):
    result = local("messages", "add", "orders", data, "--json")
    assert result.exit_code == 0
    assert result.stderr == (
        f"Warning: the data starts like JSON but is not valid JSON ({where}); it is sent as text, as given\n"
    )
    message_id = json.loads(result.stdout)["message"]["id"]
    assert data_of(local_db_path(os.environ), message_id) == data  # the API shows no data: read the database


@pytest.mark.parametrize("data", ['{"id": 1}', "[1, 2]", "plain text", "not {json", " [true]"])
def test_json_and_plain_text_get_no_warning(local, orders, data):
    result = local("messages", "add", "orders", data, "--json")
    assert (result.exit_code, result.stderr) == (0, "")


def test_a_data_file_that_starts_like_json_but_is_not_warns_too(local, orders, tmp_path):
    (tmp_path / "data.json").write_text('{"cut": ')
    result = local("messages", "add", "orders", "--data-file", str(tmp_path / "data.json"), "-q")
    assert result.exit_code == 0
    assert result.stderr.startswith("Warning: the data starts like JSON but is not valid JSON (line 1 column 9")
