"""Every test runs isolated: its own config file, its own local database, no color, a fixed width."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from discue_cli.app import build_app
from discue_cli.context import Context
from discue_cli.output import IOStreams
from tests.httpmock import HttpMock

# The URL options of `listeners add`, pointing at a port nothing listens on.
LISTENER_URLS = ("--notify-url", "http://127.0.0.1:1/notify", "--liveness-url", "http://127.0.0.1:1/live")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in list(os.environ):
        if var.startswith("DISCUE_") or var in ("NO_COLOR", "FORCE_COLOR"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DISCUE_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setenv("DISCUE_LOCAL_DB", str(tmp_path / "data" / "local.sqlite3"))
    monkeypatch.setenv("DISCUE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@dataclass
class Setup:
    """What a test chooses about the run's surroundings: terminal flags and the remote transport."""

    tty: dict[str, bool] = field(default_factory=dict)
    transport: Any = None

    def make_context(self, flags: dict[str, Any]) -> Context:
        return Context(flags, streams=IOStreams.system(**self.tty), transport=self.transport)


@pytest.fixture
def setup() -> Setup:
    return Setup()


@pytest.fixture
def gen_2022(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the CLI (and so --local) to the May 2022 generation, whose shapes the older tests pin."""
    monkeypatch.setenv("DISCUE_API_VERSION", "2022-05")


@pytest.fixture
def cli(setup: Setup):
    """Run the real Typer app in process; returns the Result (stdout, stderr, exit_code apart)."""
    app = build_app(make_context=setup.make_context)
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None, env: dict | None = None):
        return runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def local(cli):
    """`discue --local ...` against the in-process local discue."""

    def invoke(*args: str, **kwargs):
        return cli("--local", *args, **kwargs)

    return invoke


@pytest.fixture
def tty(setup: Setup):
    """Make stdout (and stdin, stderr) look like a terminal, as gh's tests do with IOStreams."""
    setup.tty = {"stdin_tty": True, "stdout_tty": True, "stderr_tty": True}


@pytest.fixture
def httpmock(setup: Setup) -> Iterator[HttpMock]:
    """Remote calls answered by registered stubs; the test fails when a stub was never called."""
    mock = HttpMock()
    setup.transport = mock.transport()
    yield mock
    mock.verify()


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without DISCUE_ settings (but with the test's own config file and
    cache dir), plus the ones given."""
    own = ("DISCUE_CONFIG", "DISCUE_CACHE_DIR", "DISCUE_API_VERSION")
    kept = {k: v for k, v in os.environ.items() if not k.startswith("DISCUE_") or k in own}
    return {**kept, **settings}


@dataclass
class Served:
    endpoint: str
    key: str
    process: subprocess.Popen
    db: Path

    def env(self) -> dict[str, str]:
        """An environment that points `discue` (and the Terraform provider) at this server."""
        return clean_env(DISCUE_API_ENDPOINT=self.endpoint, DISCUE_API_KEY=self.key)

    def cli_args(self) -> list[str]:
        return ["--api-endpoint", self.endpoint, "--api-key", self.key]

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=15)


def start_server(db: Path, *extra: str, key: str | None = "test-key-0123456789abcdef") -> Served:
    """`discue emulator serve` on a free loopback port, ready when it has printed its exports."""
    args = [sys.executable, "-m", "discue_cli", "emulator", "serve", "--port", "0", "--db", str(db), *extra]
    pinned = os.environ.get("DISCUE_API_VERSION")  # a test that pins the CLI's generation is served that one
    if pinned and pinned != "auto" and "--api-version" not in extra:
        args += ["--api-version", pinned]
    if key:
        args += ["--api-key", key]
    env = clean_env()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    exports = {}
    deadline = time.monotonic() + 20
    while len(exports) < 2 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        name, _, value = line.strip().removeprefix("export ").partition("=")
        exports[name] = value
    if len(exports) < 2:
        process.kill()
        raise RuntimeError(f"emulator did not start: {process.stderr.read()}")
    return Served(exports["DISCUE_API_ENDPOINT"], exports["DISCUE_API_KEY"], process, db)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = start_server(tmp_path / "served.sqlite3", "--no-deliver")
    yield server
    server.stop()


@pytest.fixture
def remote(cli, served: Served):
    """The CLI against the served emulator over real HTTP on loopback."""

    def invoke(*args: str, **kwargs):
        return cli(*served.cli_args(), *args, **kwargs)

    return invoke


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's data dir (where `listen` records its listeners) inside the test's folder, for runs
    in process and the `discue` processes tests start (they inherit the environment)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
