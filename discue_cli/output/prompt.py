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
    which `secret` restores only when an exception goes through it."""
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
            fd = terminal_fd(stdin)
            answer = stdin.readline() if fd is None else read_line(fd, encoding_of(stdin))
        except (KeyboardInterrupt, Stopped):
            stderr.write("\n")
            raise
    # The terminal echoed a newline only for a line ended by Enter: not at end of input (Ctrl-D), not for
    # an answer typed ahead (a bare \r, never echoed).
    if not (answer.endswith("\n") if fd is not None else answer):
        stderr.write("\n")
    return answer.strip().lower() in ("y", "yes")


def terminal_fd(stream: TextIO) -> int | None:
    """The descriptor of a stream that is a terminal (not on Windows: select takes no console handle)."""
    if os.name == "nt":
        return None
    try:
        return stream.fileno() if stream.isatty() else None
    except (AttributeError, OSError, ValueError):  # a stream with no descriptor (tests, an embedding)
        return None


def encoding_of(stream: TextIO) -> str:
    return getattr(stream, "encoding", None) or "utf-8"


def read_line(fd: int, encoding: str) -> str:
    """A line from a terminal, read from its descriptor in steps of POLL, looking at the stop signals between
    them: a signal whose handler ran inside a finalizer (a GC pass after the question was shown) raised
    nothing, and a plain read would wait for a line that never comes (a SIGTERM once hung the prompt so).

    A `\\r` ends the line as a `\\n` does: Return typed ahead while the shell's line editor still had the
    terminal arrives untranslated (and was never echoed), and ends no line for the terminal. The line
    comes with the character that ended it; "" at end of input; a line cut by end of input (Ctrl-D after
    some text) is what was typed."""
    import select

    raise_if_stopped()
    data = b""
    while True:
        while not select.select([fd], [], [], POLL)[0]:
            raise_if_stopped()
        chunk = os.read(fd, 4096)
        data += chunk
        ends = [i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0]
        if ends:
            return data[: min(ends) + 1].decode(encoding, errors="replace")
        if not chunk:
            return data.decode(encoding, errors="replace")
        raise_if_stopped()


def secret(prompt: str, stderr: TextIO) -> str:
    """Hidden input from the terminal, as getpass reads it (the controlling terminal, else stdin when it is
    one) with its wait in steps, as `read_line`'s: a stop signal lost in a finalizer still ends it, and
    the terminal gets its echo back. Without a terminal to switch the echo off, getpass's own way."""
    import sys

    with signals_raise():
        raise_if_stopped()
        opened = None
        if os.name == "nt":  # the console's own hidden input (msvcrt)
            fd = None
        else:
            try:
                opened = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
                fd = opened
            except OSError:
                fd = terminal_fd(sys.stdin)
        try:
            if fd is None:
                import getpass

                return getpass.getpass(prompt, stream=stderr)
            import termios

            before = termios.tcgetattr(fd)
            hidden = list(before)
            hidden[3] &= ~termios.ECHO
            flags = termios.TCSAFLUSH | getattr(termios, "TCSASOFT", 0)
            termios.tcsetattr(fd, flags, hidden)
            try:
                stderr.write(prompt)
                stderr.flush()
                line = read_line(fd, encoding_of(sys.stdin))
            finally:
                termios.tcsetattr(fd, flags, before)
            stderr.write("\n")
            stderr.flush()
            if not line:
                raise EOFError
            return line.rstrip("\r\n")
        finally:
            if opened is not None:
                os.close(opened)
