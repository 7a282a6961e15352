"""discue help [TOPIC | COMMAND...]: the help of any command, or a topic (exit-codes), like `gh help`."""

from __future__ import annotations

from typing import Annotated

import typer

from discue_cli.commands._common import run_local
from discue_cli.commands._complete import complete_help
from discue_cli.errors import UsageError


def help_text(words: list[str]) -> str:
    """A topic's text, or the help of the command the words name (the whole app when there are none)."""
    from discue_cli.app import build_app
    from discue_cli.commands._help import TOPICS

    if words and words[0] in TOPICS:
        return TOPICS[words[0]]
    command = typer.main.get_command(build_app())
    ctx = typer.Context(command, info_name="discue", help_option_names=["-h", "--help"])
    for word in words:
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            raise UsageError(
                f"no help topic or command '{' '.join(words)}'",
                hint=f"topics: {', '.join(TOPICS)}; or a command, e.g. `discue help queues create`",
            )
        command, ctx = sub, typer.Context(sub, info_name=word, parent=ctx)
    return ctx.get_help()


def register(root: typer.Typer) -> None:
    @root.command("help")
    def help_(
        ctx: typer.Context,
        words: Annotated[
            list[str] | None,
            typer.Argument(
                metavar="[TOPIC|COMMAND]...", help="exit-codes, or a command.", autocompletion=complete_help
            ),
        ] = None,
    ) -> None:
        """Show the help of a command, or a topic: exit-codes."""
        run_local(ctx, lambda _o, _c, out: out.line(help_text(words or [])))
