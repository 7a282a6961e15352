"""`discue --version` answers before the error boundary exists: its output failures must still be one line."""

from __future__ import annotations

import subprocess

from tests.e2e.test_cli_surface import DISCUE


def test_version_into_a_full_device_is_one_line_exit_1():
    with open("/dev/full", "w") as full:
        result = subprocess.run([str(DISCUE), "--version"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=30)
    assert (result.returncode, result.stderr) == (1, "Error: cannot write output: No space left on device\n")


def test_version_into_a_closed_pipe_is_a_quiet_exit_0():
    reader = subprocess.Popen(["head", "-c", "0"], stdin=subprocess.PIPE)
    reader.wait(timeout=10)  # gone before discue writes: its write meets a broken pipe
    args = [str(DISCUE), "--version"]
    result = subprocess.run(args, stdout=reader.stdin, stderr=subprocess.PIPE, text=True, timeout=30)
    reader.stdin.close()
    assert (result.returncode, result.stderr) == (0, "")
