"""The console script's entry point: from the moment it is imported, a stop signal is a quiet stop.

It imports next to nothing itself. Until main() runs (the generated script still has a line of its
own to run first), a signal is only noted; main() then stops at once. From main() on, signals raise,
so app.py's own imports (typing, typer, ...) are covered too: Ctrl-C there was a traceback, SIGTERM
a silent kill.
"""

import signal
import sys

from discue_cli.errors import Stopped
from discue_cli.signals import raise_on_stop_signals, raised


def _note(signum: int, _frame: object) -> None:
    raised.append(signum)


for _name in ("SIGINT", "SIGTERM", "SIGHUP"):
    if hasattr(signal, _name):
        signal.signal(getattr(signal, _name), _note)


def main() -> None:
    try:
        raise_on_stop_signals()
        if raised:  # a signal came before main(): stop now
            raise KeyboardInterrupt
        from discue_cli.app import start

        start()
    except BaseException as exc:
        # A stop's exception, or what it became on the way (a RuntimeError from a class being built)
        if isinstance(exc, SystemExit) or not (raised or isinstance(exc, (KeyboardInterrupt, Stopped))):
            raise
        from discue_cli.output import notice

        notice("Interrupted.")
        sys.exit(128 + raised[0] if raised else getattr(exc, "exit_code", 130))
