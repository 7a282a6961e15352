"""Stop signals (SIGINT, SIGTERM, SIGHUP): the one module that installs their handlers and knows which came.

Three ways a stop is taken, one for each stage of a run:
- from the moment the console script starts until main() runs, a signal is only noted (`note_stops`);
- where no event loop turns a signal into a cancel (start-up, prompts), it raises where the main
  thread stands (`raise_on_stop_signals`): SIGINT a KeyboardInterrupt, SIGTERM/SIGHUP Stopped;
- while an event loop runs, a signal cancels the run's task (`cancel_on_stop_signals`).
Whichever way, the first signal is remembered here (`first_stop`), for the error boundary and for
the run that is about to start: Python drops an exception raised in a __del__ or a weakref callback
("Exception ignored in ...") and wraps one raised in __set_name__ in a RuntimeError.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from typing import Any

from discue_cli.errors import Stopped

NAMES = ("SIGINT", "SIGTERM", "SIGHUP")  # SIGHUP: not on Windows

_received: list[int] = []  # every stop signal taken so far, first one first; only this module touches it


def first_stop() -> int | None:
    """The first stop signal this process took, or None."""
    return _received[0] if _received else None


def stop_exit_code(exc: BaseException | None = None) -> int:
    """The exit code of a stop: 128 + the first signal; else what the exception says; else 130 (Ctrl-C)."""
    if _received:
        return 128 + _received[0]
    return getattr(exc, "exit_code", 130)


def _stop_signals(*names: str) -> list[int]:
    return [getattr(signal, name) for name in names if hasattr(signal, name)]


def _note(signum: int, _frame: object) -> None:
    _received.append(signum)


def note_stops() -> None:
    """Only remember a stop signal (the console script's first moments, before main() can act on one)."""
    for signum in _stop_signals(*NAMES):
        signal.signal(signum, _note)


def _raise_stop(signum: int, _frame: object) -> None:
    # Noted first: a second signal's handler may run inside this one, at any line of it.
    first = not _received
    _received.append(signum)
    # One stop is enough: a later signal, even one already pending, must not cut this one's clean-up
    # (Python reports a pending signal found ignored as unraisable, which is silenced below).
    ignore_stop_signals()
    if first and os.environ.get("DISCUE_DEBUG") != "1":
        # The process is going down: a half-built object's complaint on the way is no news to the user.
        import warnings

        sys.unraisablehook = lambda _unraisable: None
        warnings.simplefilter("ignore")
    raise _stop_exception(signum)


def _stop_exception(signum: int) -> BaseException:
    """What a stop signal raises: SIGINT a KeyboardInterrupt, SIGTERM and SIGHUP Stopped."""
    return KeyboardInterrupt() if signum == signal.SIGINT else Stopped(signum)


def raise_if_stopped() -> None:
    """Raise the first stop signal's exception again, if one came: its handler may have run inside a
    finalizer (a GC pass, a coroutine being closed), where Python drops what a handler raises."""
    if _received:
        raise _stop_exception(_received[0])


def raise_on_stop_signals(*, interrupt: bool = True) -> dict[int, Any]:
    """SIGTERM, SIGHUP and, with `interrupt`, SIGINT raise where the main thread stands; the old handlers."""
    names = NAMES if interrupt else NAMES[1:]
    return {signum: signal.signal(signum, _raise_stop) for signum in _stop_signals(*names)}


def restore(previous: dict[int, Any]) -> None:
    """Put back the handlers `raise_on_stop_signals` replaced; stopped already, ignore the signals instead."""
    for signum, handler in previous.items():
        signal.signal(signum, signal.SIG_IGN if _received else handler)


def ignore_stop_signals() -> None:
    """Stopping already: a second stop signal must not cut the clean-up short, nor, once Python puts the
    default actions back as the process ends, kill it with an exit status that is not the first stop's.
    (Python leaves an ignored signal ignored then.)"""
    for signum in _stop_signals(*NAMES):
        signal.signal(signum, signal.SIG_IGN)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def sigterm_interrupts() -> dict[int, Any]:
    """SIGTERM raises KeyboardInterrupt, as Ctrl-C does (a server that stops the same clean way on both);
    the old handler, for `restore`."""
    return {signal.SIGTERM: signal.signal(signal.SIGTERM, _interrupt)}


@contextlib.contextmanager
def cancel_on_stop_signals(received: list[int]) -> Iterator[None]:
    """While the event loop runs: SIGINT, SIGTERM and SIGHUP cancel the current task, once.

    The signal is recorded in `received` (its exit code is 128 + it). Later signals are ignored:
    the first one's clean stop (saving a batch's unsent lines) is short, and a second cancel
    would cut it. Without a running loop's signal support (Windows), asyncio's own Ctrl-C rules."""
    import asyncio

    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def on_signal(signum: int) -> None:
        if not received:
            received.append(signum)
            task.cancel()

    installed = {}
    for signum in _stop_signals(*NAMES):
        try:
            previous = signal.getsignal(signum)
            loop.add_signal_handler(signum, on_signal, signum)
            installed[signum] = previous
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    if _received:
        on_signal(_received[0])  # one raised while starting up, and lost on the way
    try:
        yield
    finally:
        stopped = bool(received or _received)
        for signum, previous in installed.items():
            loop.remove_signal_handler(signum)
            # remove_signal_handler leaves SIG_DFL: main()'s handler again, or, stopped, none (see ignore_stop_signals)
            signal.signal(signum, signal.SIG_IGN if stopped else previous)
