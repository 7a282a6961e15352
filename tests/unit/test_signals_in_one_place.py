"""Stop-signal handling lives in discue_cli/signals.py: its handlers, and the record of which signals came."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "discue_cli"
INSTALLS = re.compile(r"\bsignal\.signal\(|add_signal_handler\(|signals\.raised|import .*\braised\b")
# Their own event loops' handlers, kept beside the loop they stop (emulator/server.py: uvicorn's; listen's)
ELSEWHERE = {"discue_cli/emulator/server.py", "discue_cli/commands/listen.py"}


def test_only_the_signals_module_installs_stop_handlers_or_knows_which_signals_came():
    found = sorted(
        f"{path.relative_to(PACKAGE.parent)}:{number}"
        for path in PACKAGE.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if INSTALLS.search(line) and str(path.relative_to(PACKAGE.parent)) not in {"discue_cli/signals.py", *ELSEWHERE}
    )
    assert found == []


def test_which_signals_came_is_asked_not_shared():
    from discue_cli import signals

    assert not [name for name, value in vars(signals).items() if isinstance(value, list) and not name.startswith("_")]
