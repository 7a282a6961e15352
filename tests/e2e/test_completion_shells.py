"""Tab completion in real shells: what a server names is inserted as data, never run as code.

Each test loads the script `discue completion SHELL` prints, as a user's rc file would, and
completes queue names full of shell syntax and terminal escapes (issue: two queues named `a\\` and
`b) ; touch ~/PWNED ; ws=( c\\` ran `touch` in zsh on Tab). bash always runs; zsh and fish run
where they are installed."""

from __future__ import annotations

import os
import select
import shlex
import shutil
import subprocess
import sys
import time
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


def until(fd: int, marker: bytes, seen: bytearray, seconds: float = 30) -> bool:
    """Read a terminal into `seen` until `marker` shows (False after `seconds`)."""
    deadline = time.monotonic() + seconds
    while marker not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return marker in seen


def test_bash_tab_at_a_real_prompt_inserts_the_name_quoted_and_runs_none(home):
    """An interactive bash at a pseudo-terminal, the script eval'ed as ~/.bashrc would."""
    folder, env = home
    controller, terminal = os.openpty()
    bash = subprocess.Popen(
        ["bash", "--norc", "--noprofile", "-i"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=folder,
        env={**env, "PS1": "READY> ", "TERM": "dumb"},
        start_new_session=True,
    )
    os.close(terminal)
    seen = bytearray()
    try:
        os.write(controller, b'eval "$(discue completion bash)"\n')
        assert until(controller, b"READY> ", seen)
        os.write(controller, b"discue queues get b\t")
        assert until(controller, b"PWNED", seen), bytes(seen)
        # Ctrl-A, then printf in front of the completed line: Enter shows each word as bash reads it
        os.write(controller, b"\x01printf '<%s>\\n' \r")
        assert until(controller, b"<b) ; touch ~/PWNED ; ws=( c\\>", seen), bytes(seen)
    finally:
        bash.kill()
        bash.wait()
        os.close(controller)
    nothing_ran(folder)


def bash_completes(env: dict[str, str], folder: Path, *lines: tuple[str, str]) -> list[list[str]]:
    """COMPREPLY for each (line up to the cursor, bash's current word), as bash sets them on Tab."""
    calls = "".join(f"complete_line {shlex.quote(line)} {shlex.quote(cur)}\n" for line, cur in lines)
    script = (
        'eval "$(discue completion bash)"\n'
        "complete_line() {\n"
        '    COMP_LINE=$1; COMP_POINT=${#1}; COMP_WORDS=(discue "$2"); COMP_CWORD=1\n'
        '    _discue_complete; printf \'%s\\n\' "${#COMPREPLY[@]}" "${COMPREPLY[@]}"\n'
        "}\n" + calls
    )
    result = subprocess.run(
        ["bash", "--norc", "-c", script], env=env, cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert result.stderr == ""
    out, replies = result.stdout.splitlines(), []
    while out:
        count = int(out.pop(0))
        replies.append(out[:count])
        del out[:count]
    return replies


def test_bash_inserts_each_name_quoted_and_runs_none(home):
    folder, env = home
    script = r"""
eval "$(discue completion bash)"
COMP_LINE='discue queues get '
COMP_POINT=${#COMP_LINE}
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
    subprocess.run([str(DISCUE), "queues", "create", "myapp:billing"], env=env, capture_output=True, check=True)
    assert bash_completes(
        env,
        folder,
        ("discue queues list --api-version ", ""),
        ("discue --api-version 2023 queues list --json --api-version 202", "202"),
        ("discue queues list --api-version=", "="),  # bash splits words at = and :
        ("discue help exit", "exit"),
        ("discue completion ", ""),
        ("discue queues get --local or", "or"),
        ("discue queues get myapp:b", "b"),
        ("discue queues get nothing-like-this", "nothing-like-this"),
    ) == [
        ["2022-05", "2023-04", "2024-08", "auto"],
        ["2022-05", "2023-04", "2024-08"],
        ["=2022-05", "=2023-04", "=2024-08", "=auto"],
        ["exit-codes"],
        ["bash", "zsh", "fish", "powershell"],
        ["orders"],
        ["billing"],
        [],
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


@pytest.mark.parametrize(
    ("line", "kind"),
    [("discue apply -f ", "files"), ("discue messages add q --data-file ", "files"), ("discue queues get ", "values")],
)
def test_a_value_that_names_a_file_is_left_to_the_shell(home, line, kind):
    folder, env = home
    result = subprocess.run(
        [str(DISCUE), "__complete", "bash", "--", line, ""], env=env, cwd=folder, capture_output=True, text=True
    )
    assert (result.returncode, result.stdout.splitlines()[0], result.stderr) == (0, kind, "")
