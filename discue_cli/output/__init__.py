"""The only package that writes to stdout/stderr: table, TSV, JSON, jq, ids, messages, errors.

stdout carries data only; everything for humans goes to stderr. `writer` holds Output (streams,
format, every write), `formats` pure formatting, `terminal` the rich side, `prompt` the questions.
The names are loaded on first use, so `discue --version` pays for none of them.
"""

from __future__ import annotations

import sys
from typing import Any

LAZY = {"IOStreams", "Output", "OutputFormat", "compact", "tsv_cell"}


def version_line(text: str) -> None:
    """The one write that happens before anything else is imported (and before the error boundary):
    a closed pipe is a quiet end, any other failure one line and exit 1."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    except OSError as exc:
        silence_stdout()  # the unwritten text must not fail again at exit
        notice(f"Error: cannot write output: {exc.strerror or exc}")
        raise SystemExit(1) from None


def notice(text: str) -> None:
    """One line on stderr from before any Output exists (a stop during start-up); a hung-up terminal is no error."""
    try:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def silence_stdout() -> None:
    """Point stdout at /dev/null (the reader went away: `| head`), so the final flush cannot fail again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def flush_streams() -> bool:
    """Flush stdout and stderr before the process ends at once; False when that failed."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return False
    return True


def __getattr__(name: str) -> Any:
    if name in LAZY:
        from discue_cli.output import writer

        return getattr(writer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
