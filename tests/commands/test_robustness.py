"""Tracebacks that must not happen and exit codes that must be right: a full disk, a broken config,
absurd input, a non-ASCII key, deleting the key in use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_json_nested_too_deeply_is_a_usage_error(cli):
    result = cli("--local", "api", "POST", "/queues", "--data", "[" * 100000)
    assert (result.exit_code, result.stderr) == (2, "Error: --data is not usable JSON: nested too deeply\n")
