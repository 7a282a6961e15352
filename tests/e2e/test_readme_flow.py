"""The README's first hour, run as written: "Try it", then "Quick start with the local discue"."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import clean_env

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def sh_block_after(readme: str, heading: str) -> str:
    return re.search(re.escape(heading) + r".*?```sh\n(.*?)```", readme, re.S).group(1)


def test_the_quick_start_works_after_try_it(tmp_path):
    readme = (ROOT / "README.md").read_text()
    try_it = sh_block_after(readme, "## Try it").strip()
    discue_steps = [step for step in try_it.split(" && ") if step.startswith(".venv/bin/discue ")]
    assert discue_steps, try_it
    quick = sh_block_after(readme, "## Quick start with the local discue")
    script = "\n".join(step.replace(".venv/bin/discue", "discue") for step in discue_steps) + "\n" + quick
    env = clean_env(
        PATH=f"{BIN}:/usr/bin:/bin", DISCUE_LOCAL_DB=str(tmp_path / "readme.sqlite3"), DISCUE_CONFIG=str(tmp_path / "c")
    )
    result = subprocess.run(
        ["bash", "-e", "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
