"""The console script's entry point: from the moment it is imported, a stop signal is a quiet stop.

It imports next to nothing itself. Until main() runs (the generated script still has a line of its
own to run first), a signal is only noted; main() then stops at once. From main() on, signals raise,
so app.py's own imports (typing, typer, ...) are covered too: Ctrl-C there was a traceback, SIGTERM
a silent kill. discue_cli.signals holds the handlers and which signals came.
"""

import sys

from discue_cli import signals
from discue_cli.errors import Stopped

signals.note_stops()


def main() -> None:
    try:
        signals.raise_on_stop_signals()
        if signals.first_stop() is not None:  # a signal came before main(): stop now
            raise KeyboardInterrupt
        if sys.argv[1:2] == ["__complete"]:  # a shell's Tab (see commands/completion.py): candidates, never an error
            from discue_cli.commands.completion import complete_main

            sys.exit(complete_main(sys.argv[2:]))
        from discue_cli.app import start

        start()
    except BaseException as exc:
        # A stop's exception, or what it became on the way (a RuntimeError from a class being built)
        stopped = signals.first_stop() is not None or isinstance(exc, (KeyboardInterrupt, Stopped))
        if isinstance(exc, SystemExit) or not stopped:
            raise
        signals.ignore_stop_signals()
        from discue_cli.output import notice

        notice("Interrupted.")
        sys.exit(signals.stop_exit_code(exc))
