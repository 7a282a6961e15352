"""--local runs the local discue in process, whose transport never waits on a socket: a signal must
still stop apply and export at once (the event loop has to get a turn between requests)."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from tests.conftest import clean_env
from tests.e2e.test_cli_surface import DISCUE

QUEUES = 1500


def wait_for_line(stream, needle: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            return False
        if needle in line:
            return True
    return False


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_local_apply_stops_at_once_mid_way(tmp_path, sig, code):
    (tmp_path / "discue.toml").write_text("".join(f'[[queues]]\nname = "q{i:05}"\n' for i in range(QUEUES)))
    env = clean_env(DISCUE_LOCAL="1", DISCUE_LOCAL_DB=str(tmp_path / "l.sqlite3"))
    process = subprocess.Popen(
        [str(DISCUE), "-v", "apply"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert wait_for_line(process.stderr, "POST ", time.monotonic() + 30), "no write started"
        os.kill(process.pid, sig)
        signalled = time.monotonic()
        out, _ = process.communicate(timeout=10)
        stopped_after = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == code
    assert stopped_after < 1.0
    assert 0 < len(out.splitlines()) < QUEUES  # stopped part-way, having said what it applied
