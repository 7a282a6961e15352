"""The typer layer stands on typer's public interface only: typer carries a private copy of click
(typer 0.26+), and its private modules change without notice."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "discue_cli"
PRIVATE = re.compile(r"\b(typer|click|atexit)\._\w+")


def test_no_module_reaches_into_typer_click_or_atexit_internals():
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if PRIVATE.search(line)
    ]
    assert found == []
