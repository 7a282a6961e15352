"""discue help [TOPIC | COMMAND...]: a docs page, or the help of any command, like `gh help`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from discue_cli.commands._common import run_local
from discue_cli.commands._complete import complete_help
from discue_cli.errors import UsageError

if TYPE_CHECKING:
    from discue_cli.output import Output


def topic_page(topic: str) -> str:
    """docs/TOPIC.md: a resource of the installed package, or the checkout's docs/ under an editable install."""
    from importlib.resources import files

    try:
        return files("discue_cli.docs").joinpath(f"{topic}.md").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        # an editable install maps discue_cli/ only: the pages are beside it in the checkout
        from pathlib import Path

        import discue_cli

        return (Path(discue_cli.__file__).parents[1] / "docs" / f"{topic}.md").read_text(encoding="utf-8")


def topics_list() -> str:
    from discue_cli.commands._help import TOPICS

    width = max(map(len, TOPICS))
    rows = "\n".join(f"  {name:<{width}}  {summary}" for name, summary in TOPICS.items())
    return f"\nHelp topics (discue help TOPIC):\n\n{rows}"


def command_help(words: list[str]) -> str:
    """The help of the command the words name (the whole app when there are none)."""
    from discue_cli.app import build_app

    command = typer.main.get_command(build_app())
    ctx = typer.Context(command, info_name="discue", help_option_names=["-h", "--help"])
    for word in words:
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            raise UsageError(f"no help topic or command '{' '.join(words)}' (`discue help` lists both)")
        command, ctx = sub, typer.Context(sub, info_name=word, parent=ctx)
    return ctx.get_help()


def show(words: list[str], out: Output) -> None:
    """A topic's page (rich Markdown on a terminal, the Markdown text when piped), else a command's help."""
    from discue_cli.commands._help import TOPICS

    if len(words) == 1 and words[0] in TOPICS:
        page = topic_page(words[0])
        if out.stdout_tty:
            from rich.markdown import Markdown

            out.render(Markdown(page))
        else:
            out.stdout.write(page)
        return
    out.line(command_help(words))
    if not words:
        out.line(topics_list())


def register(root: typer.Typer) -> None:
    @root.command("help")
    def help_(
        ctx: typer.Context,
        words: Annotated[
            list[str] | None,
            typer.Argument(
                metavar="[TOPIC|COMMAND]...",
                help="A help topic (listed by `discue help`), or a command.",
                autocompletion=complete_help,
            ),
        ] = None,
    ) -> None:
        """Show a help topic (output, exit-codes, settings, ...) or the help of a command."""
        run_local(ctx, lambda _o, _c, out: show(words or [], out))
