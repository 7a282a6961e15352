"""Import hygiene where start-up time is spent: what the installed command loads for the commands
scripts run most (a one-shot call piped, --version, --help). Each module named here costs 10-40 ms."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import clean_env

# main() ends the process itself (os._exit once the atexit handlers ran), so the probe is an atexit handler.
PROBE = """
import atexit, sys
sys.argv = ["discue"] + sys.argv[1:]
atexit.register(lambda: sys.stderr.write("\\nMODULES=" + ",".join(sorted(sys.modules)) + "\\n"))
from discue_cli.entry import main
main()
"""


def loaded(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run discue's entry point as the console script does; its result and every module it imported."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env or clean_env(), timeout=30
    )
    head, _, modules = result.stderr.rpartition("\nMODULES=")
    result.stderr = head
    return result, set(modules.strip().split(","))


def tops(modules: set[str], *names: str) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in names)


def test_a_piped_one_shot_call_loads_no_server_jq_or_toml(served):
    queue_id = subprocess.run(
        [sys.executable, "-m", "discue_cli", "queues", "create", "orders", "-q"],
        env=served.env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    result, modules = loaded("queues", "list", env=served.env())
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{queue_id}\torders\n", "")
    # asyncio: every command runs on httpx.AsyncClient; rich: httpx's own command line imports it
    # whenever click is installed (no public way around it; the cost is measured in bench/)
    assert tops(modules, "starlette", "uvicorn", "jq", "tomllib") == []
    assert "httpx" in modules  # the real HTTP path was taken


def test_version_loads_no_typer():
    result, modules = loaded("--version")
    assert result.returncode == 0 and result.stdout.startswith("discue ")
    assert tops(modules, "typer", "click", "httpx", "asyncio", "rich") == []


@pytest.mark.parametrize("args", [["--help"], ["queues", "--help"]])
def test_help_loads_no_http_event_loop_or_terminal(args):
    result, modules = loaded(*args)
    assert result.returncode == 0 and "Usage: discue" in result.stdout
    assert tops(modules, "httpx", "httpcore", "rich", "asyncio") == []
