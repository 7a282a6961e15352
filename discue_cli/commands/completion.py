"""discue completion bash|zsh|fish|powershell"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from discue_cli.commands._common import run_local

COMPLETE_VAR = "_DISCUE_COMPLETE"


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"


def script(shell: str) -> str:
    """The completion script for a shell; it asks `discue` itself for candidates, so it never goes stale."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name="discue", complete_var=COMPLETE_VAR, shell=shell)


def register(root: typer.Typer) -> None:
    @root.command("completion")
    def completion(
        ctx: typer.Context, shell: Annotated[Shell, typer.Argument(help="bash, zsh, fish or powershell.")]
    ) -> None:
        """Print the completion script for a shell: save it where your shell loads completions (see the examples)."""
        run_local(ctx, lambda _o, _c, out: out.line(script(shell.value).rstrip("\n")))
