"""Questions to a person at a terminal: asked on stderr, answered on stdin."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TextIO

from discue_cli.errors import Stopped
from discue_cli.signals import raise_on_stop_signals, restore


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """While a question is up: Ctrl-C raises KeyboardInterrupt, SIGTERM and SIGHUP raise Stopped, at once.

    Inside asyncio.run a signal only schedules a cancel, which a blocking read never sees (SIGTERM
    hung the prompt); and a process killed at the hidden prompt would leave the terminal's echo off,
    which getpass restores only when an exception goes through it."""
    previous = raise_on_stop_signals()
    try:
        yield
    finally:
        restore(previous)


def confirm(question: str, stdin: TextIO, stderr: TextIO) -> bool:
    """Ask; anything but y/yes is no. Ctrl-C, SIGTERM and SIGHUP stop it at once (see signals_raise)."""
    with signals_raise():  # switched before the question is shown
        try:
            stderr.write(f"{question} [y/N]: ")
            stderr.flush()
            answer = stdin.readline()
        except (KeyboardInterrupt, Stopped):
            stderr.write("\n")
            raise
    if not answer:
        stderr.write("\n")
    return answer.strip().lower() in ("y", "yes")


def secret(prompt: str, stderr: TextIO) -> str:
    """Hidden input from the terminal."""
    import getpass

    with signals_raise():
        return getpass.getpass(prompt, stream=stderr)
