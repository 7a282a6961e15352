"""Under --local the local discue runs inside the CLI: what it logs must not reach stderr as a second
line of its own (Python's last-resort handler printed "local discue: database error: ..." on a full
disk, beside the CLI's one error line). In a subprocess: pytest's own log handlers would hide it here."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import clean_env

FULL_DISK = """
import sqlite3, sys
from discue_cli.emulator.store import Store

def full(self, *args, **kwargs):
    raise sqlite3.OperationalError("database or disk is full")

Store.add_messages = full
sys.argv[0] = "discue"
from discue_cli.entry import main
main()
"""


def test_a_full_disk_under_local_is_one_line_on_stderr(tmp_path):
    env = clean_env(DISCUE_LOCAL_DB=str(tmp_path / "local.sqlite3"))
    base = [sys.executable, "-c", FULL_DISK, "--local", "--api-version", "2023-04"]
    created = subprocess.run([*base, "queues", "create", "q", "-q"], capture_output=True, text=True, env=env)
    assert created.returncode == 0, created.stderr
    added = subprocess.run([*base, "messages", "add", "q", "x"], capture_output=True, text=True, env=env, timeout=60)
    assert (added.returncode, added.stdout) == (1, ""), added.stderr
    assert added.stderr == "Error: the database or disk is full (507)\n"
