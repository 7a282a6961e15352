"""Questions to a person at a terminal: asked on stderr, answered on stdin."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import TextIO

from discue_cli.errors import Stopped
from discue_cli.signals import raise_if_stopped, raise_on_stop_signals, restore

POLL = 0.2  # seconds between looks at the stop signals while a question waits for its answer


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
            answer = read_answer(stdin)
        except (KeyboardInterrupt, Stopped):
            stderr.write("\n")
            raise
    if not answer:
        stderr.write("\n")
    return answer.strip().lower() in ("y", "yes")


def read_answer(stdin: TextIO) -> str:
    """A line from stdin. At a terminal it waits in steps of POLL, looking at the stop signals between
    them: a signal whose handler ran inside a finalizer (a GC pass after the question was shown) raised
    nothing, and a plain read would wait for a line that never comes (a SIGTERM once hung the prompt so).
    A terminal in canonical mode is readable once a whole line is typed."""
    raise_if_stopped()
    try:
        fd = stdin.fileno() if stdin.isatty() else None
    except (AttributeError, OSError, ValueError):  # a stream with no descriptor (tests, an embedding)
        fd = None
    if fd is not None and os.name != "nt":  # select takes no console handle on Windows
        import select

        while not select.select([fd], [], [], POLL)[0]:
            raise_if_stopped()
    return stdin.readline()


def secret(prompt: str, stderr: TextIO) -> str:
    """Hidden input from the terminal."""
    import getpass

    with signals_raise():
        raise_if_stopped()
        return getpass.getpass(prompt, stream=stderr)
