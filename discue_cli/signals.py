"""Stop signals raised as exceptions, where no event loop turns them into a cancel: start-up and prompts."""

from __future__ import annotations

import os
import signal
import sys

from discue_cli.errors import Stopped

# Every stop signal raised so far. Python drops an exception raised in a __del__ or a weakref callback
# ("Exception ignored in ...") and wraps one raised in __set_name__ in a RuntimeError: the signal
# is still known here, for the error boundary and for the run that is about to start.
raised: list[int] = []


def raise_stop(signum: int, _frame: object) -> None:
    """The handler: SIGINT becomes KeyboardInterrupt, SIGTERM and SIGHUP Stopped, wherever the main thread is."""
    if not raised and os.environ.get("DISCUE_DEBUG") != "1":
        # The process is going down: a half-built object's complaint on the way is no news to the user.
        import warnings

        sys.unraisablehook = lambda _unraisable: None
        warnings.simplefilter("ignore")
    raised.append(signum)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Stopped(signum)


def raise_on_stop_signals(*, interrupt: bool = True) -> dict[int, object]:
    """Install `raise_stop` for SIGTERM, SIGHUP (not on Windows) and, with `interrupt`, SIGINT; the old handlers."""
    names = ("SIGTERM", "SIGHUP", "SIGINT") if interrupt else ("SIGTERM", "SIGHUP")
    return {sig: signal.signal(sig, raise_stop) for sig in (getattr(signal, n) for n in names if hasattr(signal, n))}
