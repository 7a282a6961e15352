"""Questions to a person at a terminal: asked on stderr, answered on stdin."""

from __future__ import annotations

import signal
from typing import TextIO


def confirm(question: str, stdin: TextIO, stderr: TextIO) -> bool:
    """Ask; anything but y/yes is no. Ctrl-C raises KeyboardInterrupt at once."""
    # Inside asyncio.run, Ctrl-C only schedules a cancel, which a blocking read never sees:
    # let it raise KeyboardInterrupt while the question is up (switched before it is shown).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        stderr.write(f"{question} [y/N]: ")
        stderr.flush()
        answer = stdin.readline()
    except KeyboardInterrupt:
        stderr.write("\n")
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
    if not answer:
        stderr.write("\n")
    return answer.strip().lower() in ("y", "yes")


def secret(prompt: str, stderr: TextIO) -> str:
    """Hidden input from the terminal."""
    import getpass

    return getpass.getpass(prompt, stream=stderr)
