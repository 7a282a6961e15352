"""The local discue's log lines, in one place. Under `emulator serve` they go to its console (stderr): one
format, `HH:MM:SS words`, filtered by --log-level, for our lines and for the records of the libraries under
us (uvicorn, asyncio), whose own handlers would print tracebacks in formats of their own. In process
(--local) they go nowhere: the CLI says what went wrong from the reply, in its one error line."""

from __future__ import annotations

import contextlib
import logging
import traceback
from collections.abc import Callable, Iterator
from datetime import datetime

LOG_LEVELS = ("error", "warning", "info", "debug")
APP_LOGGER = "discue.emulator"
ROUTED_LOGGERS = ("uvicorn", "asyncio", APP_LOGGER)
THRESHOLDS = (logging.ERROR, logging.WARNING, logging.INFO)  # the records of LOG_LEVELS[i]; below: debug


def app_log() -> logging.Logger:
    """The logger of the local discue's app. With no handler of its own, Python's last-resort handler
    would print its records to stderr under --local, a second line beside the CLI's (the logging
    docs' advice for a library: a NullHandler). routed_logs adds the console's handler while serving."""
    logger = logging.getLogger(APP_LOGGER)
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    return logger


class Log:
    """The serve console (stderr), filtered by --log-level: error < warning < info < debug."""

    def __init__(self, write: Callable[[str], None], level: str = "info"):
        self.write = write
        self.rank = LOG_LEVELS.index(level)

    def _at(self, rank: int, text: str) -> None:
        if rank <= self.rank:
            self.write(text)

    def error(self, text: str) -> None:
        self._at(0, text)

    def warning(self, text: str) -> None:
        self._at(1, text)

    def info(self, text: str) -> None:
        self._at(2, text)

    def debug(self, text: str) -> None:
        self._at(3, text)


def clock() -> str:
    return f"{datetime.now():%H:%M:%S}"


class ConsoleHandler(logging.Handler):
    """A log record as one console line, `HH:MM:SS words`, at the matching --log-level. An exception adds
    its last line; its traceback only at debug: what a client sends must never spray the console."""

    def __init__(self, console: Log):
        super().__init__()
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage().strip()
        except Exception:  # a malformed call in a library: its words as they are
            text = str(record.msg).strip()
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            text += ": " + traceback.format_exception_only(exc)[-1].strip()
            if self.console.rank == LOG_LEVELS.index("debug"):
                text += "\n" + "".join(traceback.format_exception(exc)).rstrip()
        rank = next((i for i, level in enumerate(THRESHOLDS) if record.levelno >= level), len(THRESHOLDS))
        self.console._at(rank, f"{clock()} {text}")


@contextlib.contextmanager
def routed_logs(console: Log) -> Iterator[None]:
    """While serving, ROUTED_LOGGERS write through `console`, and only there."""
    handler = ConsoleHandler(console)
    loggers = [logging.getLogger(name) for name in ROUTED_LOGGERS]
    saved = [(logger, logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    # the app's debug lines are made only when they are shown
    logging.getLogger(APP_LOGGER).setLevel((*THRESHOLDS, logging.DEBUG)[console.rank])
    try:
        yield
    finally:
        for logger, level, propagate in saved:
            logger.removeHandler(handler)
            logger.propagate = propagate
            logger.setLevel(level)
