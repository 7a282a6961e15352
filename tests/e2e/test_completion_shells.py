"""Tab completion in real shells: what a server names is inserted as data, never run as code.

Each test loads the script `discue completion SHELL` prints, as a user's rc file would, and
completes queue names full of shell syntax and terminal escapes (issue: two queues named `a\\` and
`b) ; touch ~/PWNED ; ws=( c\\` ran `touch` in zsh on Tab). bash always runs; zsh and fish run
where they are installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import clean_env

DISCUE = Path(sys.executable).with_name("discue")

NAMES = [
    "orders",
    "a\\",
    "b) ; touch ~/PWNED ; ws=( c\\",
    "$(touch dollar)",
    "`touch backtick`",
    'it\'s "quoted" & <sent> | *',
    "\x1b]0;owned\x07title",
]
# as completed: every control character dropped
SHOWN = [name.replace("\x1b", "").replace("\x07", "") for name in NAMES]


@pytest.fixture
def home(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A home folder (where ~/PWNED would land) and an environment whose `discue` knows NAMES locally."""
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(
        HOME=str(home),
        PATH=f"{DISCUE.parent}{os.pathsep}{os.environ['PATH']}",
        DISCUE_LOCAL="1",
        DISCUE_LOCAL_DB=str(tmp_path / "names.sqlite3"),
        DISCUE_CONFIG=str(tmp_path / "config.toml"),
    )
    for name in NAMES:
        subprocess.run([str(DISCUE), "queues", "create", name], env=env, capture_output=True, check=True)
    return home, env


def nothing_ran(home: Path) -> None:
    assert sorted(p.name for p in home.iterdir() if not p.name.startswith(".")) == []


def test_bash_inserts_each_name_quoted_and_runs_none(home):
    folder, env = home
    script = r"""
eval "$(discue completion bash)"
COMP_WORDS=(discue queues get '')
COMP_CWORD=3
_discue_complete
for reply in "${COMPREPLY[@]}"; do
    # what bash puts on the command line, read back as bash reads the line when Enter is pressed
    eval "printf 'WORD<%s>\n' $reply"
done
"""
    result = subprocess.run(
        ["bash", "--norc", "-c", script], env=env, cwd=folder, capture_output=True, text=True, timeout=60
    )
    assert result.stderr == ""
    assert result.stdout.splitlines() == [f"WORD<{name}>" for name in SHOWN]
    nothing_ran(folder)


def test_bash_completes_the_closed_choices_and_no_files_where_a_name_is_wanted(home):
    folder, env = home
    (folder / "not-a-generation").write_text("")
    script = r"""
eval "$(discue completion bash)"
complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _discue_complete; echo "${COMPREPLY[*]}"; }
complete_words discue queues list --api-version ''
complete_words discue --api-version 2023 queues list --json --api-version 202
complete_words discue help exit
complete_words discue completion ''
complete_words discue queues get --local or
"""
    result = subprocess.run(
        ["bash", "--norc", "-c", script], env=env, cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.splitlines() == [
        "2022-05 2023-04 2024-08 auto",
        "2022-05 2023-04 2024-08",
        "exit-codes",
        "bash zsh fish powershell",
        "orders",
    ]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_tab_at_a_real_prompt_inserts_the_name_quoted_and_runs_none(home):
    """A zsh at a pseudo-terminal (zpty), compinit and the eval'ed script, as a user has them."""
    folder, env = home
    drive = r"""
zmodload zsh/zpty
# what the terminal showed, until it matches a pattern (within 30 s)
seen=""
await() {
    local chunk
    repeat 300; do zpty -r -t z chunk && seen+=$chunk; [[ $seen == $~1 ]] && return 0; sleep 0.1; done
    return 1
}
zpty -b z 'zsh -f -i'
zpty -w z 'PS1="READY> "; autoload -U compinit; compinit -u; eval "$(discue completion zsh)"'
await '*READY> *'
zpty -w -n z $'discue queues get b\t'
await '*PWNED*'
# Ctrl-A, then printf in front of the completed line: Enter shows each word as zsh reads it
zpty -w z $'\x01printf \'<%s>\\n\' '
await '*touch ~/PWNED ;*'
print -r -- "$seen"
zpty -d z
"""
    result = subprocess.run(["zsh", "-f", "-c", drive], env=env, cwd=folder, capture_output=True, timeout=90)
    printed = result.stdout.decode(errors="replace")
    assert "<b) ; touch ~/PWNED ; ws=( c\\>" in printed.replace("\r", "")
    nothing_ran(folder)


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_hands_compadd_the_names_as_data(home):
    folder, env = home
    script = r"""
compdef() { : }
compadd() { local arg; for arg in "$@"; do printf 'ARG<%s>\n' "$arg"; done }
eval "$(discue completion zsh)"
words=(discue queues get '')
CURRENT=4
_discue
"""
    result = subprocess.run(["zsh", "-f", "-c", script], env=env, cwd=folder, capture_output=True, timeout=60)
    args = result.stdout.decode().splitlines()
    assert args == ["ARG<-U>", "ARG<-->", *(f"ARG<{name}>" for name in SHOWN)]
    nothing_ran(folder)


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_offers_the_names_as_data(home):
    folder, env = home
    script = "discue completion fish | source; complete -C 'discue queues get '; complete -C 'discue --api-version '"
    result = subprocess.run(["fish", "--no-config", "-c", script], env=env, cwd=folder, capture_output=True, timeout=60)
    names, choices = (
        result.stdout.decode().splitlines()[: len(SHOWN)],
        result.stdout.decode().splitlines()[len(SHOWN) :],
    )
    assert (sorted(names), choices) == (sorted(SHOWN), ["2022-05", "2023-04", "2024-08", "auto"])
    nothing_ran(folder)
