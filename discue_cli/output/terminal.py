"""The terminal side: rich consoles, tables, key/value grids and progress bars (rich is imported here only)."""

from __future__ import annotations

from typing import Any, TextIO

from discue_cli.output.formats import columns, escape_controls, human


def console(stream: TextIO, tty: bool, color: bool) -> Any:
    from rich.console import Console

    use_color = tty and color
    return Console(
        file=stream,
        force_terminal=tty,
        no_color=not use_color,
        color_system="auto" if use_color else None,
        highlight=False,
        soft_wrap=False,
    )


def render_lines(con: Any, renderable: Any) -> list[str]:
    """A rich renderable as lines, without the padding rich leaves at line ends."""
    with con.capture() as captured:
        con.print(renderable)
    return [text.rstrip() for text in captured.get().splitlines()]


def table(resources: list[dict[str, Any]]) -> Any:
    from rich.table import Table
    from rich.text import Text

    keys = columns(resources)
    grid = Table(box=None, pad_edge=False, header_style="bold", show_edge=False)
    for key in keys:
        grid.add_column(Text(key.upper()), no_wrap=key == "id", overflow="ellipsis")
    for item in resources:
        # Text, not str: data is shown as it is, never read as rich markup or emoji codes.
        grid.add_row(*(Text(escape_controls(human(k, item.get(k)))) for k in keys))
    return grid


def pairs_grid(pairs: list[tuple[str, Any]]) -> Any:
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for key, value in pairs:
        grid.add_row(Text(escape_controls(key)), Text(escape_controls(str(value))))
    return grid


def progress(con: Any, total: int | None, label: str) -> RichProgress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    parts = [TextColumn(label), BarColumn(), MofNCompleteColumn()]
    if total:
        parts += [TaskProgressColumn(), TimeRemainingColumn()]
    parts += [TextColumn("{task.fields[rate]}/s"), TimeElapsedColumn()]
    return RichProgress(Progress(*parts, console=con, transient=False), total)


class NullProgress:
    """The progress of a run nobody watches: does nothing."""

    def __enter__(self) -> NullProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def advance(self, count: int = 1, rate: float = 0.0) -> None:
        return None

    def clear(self) -> None:
        return None


class RichProgress:
    def __init__(self, bar: Any, total: int | None):
        self.bar = bar
        self.task = bar.add_task("send", total=total, rate="0")

    def __enter__(self) -> RichProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    @property
    def running(self) -> bool:
        return bool(self.bar.live.is_started)

    def clear(self) -> None:
        """Take the bar off the screen when it stops (a stopped run's summary follows)."""
        self.bar.live.transient = True

    def print(self, text: str) -> None:
        """A line above the running bar, never through it."""
        from rich.text import Text

        self.bar.console.print(Text(text), soft_wrap=True)

    def advance(self, count: int = 1, rate: float = 0.0) -> None:
        self.bar.update(self.task, advance=count, rate=f"{rate:,.0f}")
