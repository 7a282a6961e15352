"""The yes/no prompt at a real terminal (a pseudo-terminal): how an answer ends, and what is shown."""

from __future__ import annotations

import os
import select
import subprocess
import termios
import time

from tests.e2e.test_signals import DISCUE, drain, local_env


def start_delete(env: dict[str, str], terminal: int) -> subprocess.Popen:
    subprocess.run([str(DISCUE), "queues", "create", "q1"], env=env, capture_output=True, check=True)
    return subprocess.Popen(
        [str(DISCUE), "queues", "delete", "q1"], stdin=terminal, stdout=terminal, stderr=terminal, env=env
    )


def queues(env: dict[str, str]) -> str:
    return subprocess.run([str(DISCUE), "queues", "list"], env=env, capture_output=True, text=True).stdout


def ended(process: subprocess.Popen) -> int | str:
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        return "still waiting at the prompt"


def test_an_answer_typed_ahead_while_the_shell_still_read_its_line_is_taken(tmp_path):
    """Typed while the shell's line editor had the terminal (no CR-to-NL translation then), Return reaches
    the prompt as a bare `\\r`, which ends no line for a terminal in canonical mode: the prompt waited on,
    showing nothing, and the user's next Enter confirmed it unseen. A `\\r` ends the answer too."""
    import pty

    env = local_env(tmp_path)
    controller, terminal = pty.openpty()
    raw = termios.tcgetattr(terminal)
    cooked = list(raw)
    raw[0] &= ~termios.ICRNL
    raw[3] &= ~(termios.ICANON | termios.ECHO)
    termios.tcsetattr(terminal, termios.TCSANOW, raw)  # as the shell's line editor leaves it
    os.write(controller, b"y\r")
    deadline = time.monotonic() + 10
    while not select.select([terminal], [], [], 0)[0] and time.monotonic() < deadline:
        time.sleep(0.01)  # the typed bytes are in the terminal's queue
    termios.tcsetattr(terminal, termios.TCSANOW, cooked)  # the shell hands over the terminal, cooked
    process = start_delete(env, terminal)
    os.close(terminal)
    try:
        assert ended(process) == 0
        assert drain(controller).endswith(b"[y/N]: \nDeleted 1 queue: q1\n")
    finally:
        process.kill()
        os.close(controller)
    assert queues(env) == ""


def test_an_answer_cut_by_end_of_input_is_taken_and_the_next_line_starts_on_its_own(tmp_path):
    """`n` then Ctrl-D twice: the answer is what was typed; the terminal echoed no newline, so the prompt adds one."""
    import pty

    env = local_env(tmp_path)
    controller, terminal = pty.openpty()
    process = start_delete(env, terminal)
    os.close(terminal)
    try:
        seen = b""
        deadline = time.monotonic() + 20
        while b"[y/N]: " not in seen and time.monotonic() < deadline:
            if select.select([controller], [], [], 0.2)[0]:
                seen += os.read(controller, 4096)
        os.write(controller, b"n\x04\x04")  # Ctrl-D after text ends the read; a second, at once, is end of input
        assert ended(process) == 2
        assert (seen + drain(controller)).replace(b"\r", b"").endswith(b"[y/N]: n\nNothing deleted.\n")
    finally:
        process.kill()
        os.close(controller)
    assert queues(env).rstrip("\n").split("\t")[1] == "q1"
