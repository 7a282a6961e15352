"""What a user meets before any API call: version, help, typos, completions, start-up cost, Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from discue_cli import __version__
from tests.conftest import clean_env

# These tests pin the May 2022 shapes (`_embedded`, a queue's `listeners`, UUID ids).
pytestmark = pytest.mark.usefixtures("gen_2022")

ROOT = Path(__file__).resolve().parents[2]
DISCUE = Path(sys.executable).with_name("discue")


def run(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([str(DISCUE), *args], capture_output=True, text=True, env=full_env, timeout=60, **kwargs)


def test_version_from_the_installed_command_and_python_m():
    assert run("--version").stdout == f"discue {__version__}\n"
    module = subprocess.run([sys.executable, "-m", "discue_cli", "--version"], capture_output=True, text=True)
    assert (module.returncode, module.stdout) == (0, f"discue {__version__}\n")


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["queues", "--help"], ["messages", "add", "--help"]])
def test_version_and_help_import_no_http_rich_jq_or_emulator(args):
    # the check runs at exit, once the command is done
    probe = (
        "import atexit, sys; sys.argv = ['discue'] + sys.argv[1:]\n"
        "def check():\n"
        "    heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'rich', 'jq', 'starlette',"
        " 'uvicorn') or m.startswith(('discue_cli.emulator', 'discue_cli.api')))\n"
        "    sys.stderr.write('HEAVY=' + ','.join(heavy))\n"
        "atexit.register(check)\n"
        "from discue_cli.entry import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True)
    assert result.stderr.endswith("HEAVY=")


def test_help_lists_every_noun(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for noun in (
        "queues",
        "listeners",
        "messages",
        "api-keys",
        "api-clients",
        "api",
        "auth",
        "config",
        "emulator",
        "completion",
    ):
        assert f"\n  {noun} " in result.stdout


def test_a_typo_is_a_usage_error_exit_2_without_traceback():
    result = run("queus", "list")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "No such command 'queus'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_argument_is_exit_2():
    result = run("queues", "get")
    assert result.returncode == 2
    assert "Missing argument 'QUEUE'" in result.stderr


@pytest.mark.parametrize(
    ("shell", "suffix"), [("bash", "bash"), ("zsh", "zsh"), ("fish", "fish"), ("powershell", "ps1")]
)
def test_checked_in_completions_match_the_code(cli, shell, suffix):
    generated = cli("completion", shell).stdout
    regenerate = f"discue completion {shell} > completions/discue.{suffix}"
    assert (ROOT / "completions" / f"discue.{suffix}").read_text() == generated, regenerate


def test_completion_completes_nouns_and_verbs():
    assert run("__complete", "bash", "--", "discue queues ", "").stdout.split() == [
        "values",
        "list",
        "get",
        "create",
        "update",
        "delete",
    ]
    assert run("__complete", "bash", "--", "discue mes", "mes").stdout.split() == ["values", "messages"]


def test_ctrl_c_exits_130_with_one_line_and_no_traceback():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    port = sock.getsockname()[1]
    process = subprocess.Popen(
        [str(DISCUE), "--api-endpoint", f"http://127.0.0.1:{port}/v1", "--api-key", "k" * 20, "queues", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        conn, _ = sock.accept()
        conn.settimeout(20)
        head = b""
        while b"\r\n\r\n" not in head:  # the request is here, its reply awaited: interrupt it
            chunk = conn.recv(65536)
            assert chunk, head
            head += chunk
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=20)
        conn.close()
    finally:
        sock.close()
    assert process.returncode == 130
    assert stdout == ""
    assert stderr == "Interrupted.\n"


def test_a_reader_that_stops_early_is_not_an_error(tmp_path):
    env = clean_env(
        DISCUE_LOCAL="1", DISCUE_LOCAL_DB=str(tmp_path / "pipe.sqlite3"), DISCUE_CONFIG=str(tmp_path / "c.toml")
    )
    subprocess.run([str(DISCUE), "queues", "create", "piped"], env=env, capture_output=True, check=True)
    (tmp_path / "lines.txt").write_text("".join(f"message number {i}\n" for i in range(3000)))
    subprocess.run(
        [str(DISCUE), "messages", "add", "piped", "--batch", str(tmp_path / "lines.txt"), "-q"],
        env=env,
        capture_output=True,
        check=True,
    )
    result = subprocess.run(
        f"'{DISCUE}' messages list --embed | head -1; echo \"rc=${{PIPESTATUS[0]}}\"",
        shell=True,
        executable="/bin/bash",
        env=env,
        capture_output=True,
        text=True,
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[1] == "rc=0"
    assert result.stderr == ""


def test_a_bug_is_one_line_not_a_traceback_unless_debugging(local, monkeypatch):
    import discue_cli.api.queues as queues_api

    async def broken(client, embed=False):
        raise RuntimeError("boom")

    monkeypatch.setattr(queues_api, "list_queues", broken)
    result = local("queues", "list")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: internal error: RuntimeError: boom\nHint: run again with DISCUE_DEBUG=1 for the traceback\n"
    )
    monkeypatch.setenv("DISCUE_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        local("queues", "list")


def test_ctrl_c_at_the_delete_prompt_on_a_real_terminal_deletes_nothing(tmp_path):
    """A pty, as a person at a terminal has: the prompt must give way to Ctrl-C at once."""
    import pty

    env = clean_env(
        DISCUE_LOCAL="1", DISCUE_LOCAL_DB=str(tmp_path / "tty.sqlite3"), DISCUE_CONFIG=str(tmp_path / "c.toml")
    )
    subprocess.run([str(DISCUE), "queues", "create", "keep-me"], env=env, capture_output=True, check=True)
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [str(DISCUE), "queues", "delete", "keep-me"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        close_fds=True,
    )
    os.close(terminal)
    seen = b""
    deadline = time.monotonic() + 20
    while b"[y/N]: " not in seen and time.monotonic() < deadline:
        seen += os.read(controller, 4096)
    assert b"keep-me" in seen and b"0 listener(s), 0 message(s)" in seen
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 130
    rest = b""
    try:
        while chunk := os.read(controller, 4096):
            rest += chunk
    except OSError:
        pass
    os.close(controller)
    assert rest.replace(b"\r", b"").endswith(b"\nInterrupted.\n")
    listed = subprocess.run([str(DISCUE), "queues", "list"], env=env, capture_output=True, text=True)
    assert listed.stdout.endswith("\tkeep-me\n")


def complete(words: str, env: dict) -> subprocess.CompletedProcess:
    """What the bash script gets for these words (the kind line dropped)."""
    result = run("__complete", "bash", "--", words, words.split(" ")[-1], env=env)
    kind, _, result.stdout = result.stdout.partition("\n")
    assert kind == "values"
    return result


def test_completion_offers_queue_listener_and_message_names_and_ids(tmp_path):
    env = clean_env(
        DISCUE_LOCAL="1", DISCUE_LOCAL_DB=str(tmp_path / "c.sqlite3"), DISCUE_CONFIG=str(tmp_path / "c.toml")
    )
    for name in ("orders", "billing"):
        subprocess.run([str(DISCUE), "queues", "create", name], env=env, capture_output=True, check=True)
    listener = ["listeners", "add", "orders", "mailer", "--notify-url", "http://x.test/n", "--liveness-url"]
    subprocess.run([str(DISCUE), *listener, "http://x.test/l"], env=env, capture_output=True, check=True)
    added = subprocess.run([str(DISCUE), "messages", "add", "orders", "hi", "-q"], env=env, capture_output=True)
    message_id = added.stdout.decode().strip()
    assert complete("discue queues get ", env).stdout.split() == ["orders", "billing"]
    assert complete("discue queues get or", env).stdout.split() == ["orders"]
    assert complete("discue listeners get orders ", env).stdout.split() == ["mailer"]
    assert complete(f"discue messages delete orders {message_id[:4]}", env).stdout.split() == [message_id]
    queue_id = subprocess.run([str(DISCUE), "queues", "get", "orders", "-q"], env=env, capture_output=True)
    queue_id = queue_id.stdout.decode().strip()
    assert complete(f"discue queues get {queue_id[:6]}", env).stdout.split() == [queue_id]


def test_completion_gives_nothing_quickly_when_the_api_cannot_answer():
    silent = socket.socket()  # accepts, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        env = clean_env(DISCUE_API_ENDPOINT=f"http://127.0.0.1:{silent.getsockname()[1]}/v1", DISCUE_API_KEY="k" * 20)
        started = time.monotonic()
        result = complete("discue queues get ", env)
        assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "", "")
        assert time.monotonic() - started < 6
    finally:
        silent.close()
    no_key = complete("discue listeners get orders ", clean_env(DISCUE_API_ENDPOINT="http://127.0.0.1:1/v1"))
    assert (no_key.returncode, no_key.stdout.strip(), no_key.stderr) == (0, "", "")
