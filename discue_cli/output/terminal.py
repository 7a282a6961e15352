"""The terminal side: rich consoles, tables, key/value grids and progress bars (rich is imported here only)."""

from __future__ import annotations

from typing import Any, TextIO

from discue_cli.output.formats import columns, escape_controls, human, is_id

MIN_TEXT_WIDTH = 10  # the narrowest a text column (not an id) is squeezed to before columns are left out
TEXT_WIDTH = 40  # the widest a text column grows while columns to its right still want room


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


def highlighted_json(text: str) -> Any:
    """JSON text colored as rich's print_json colors it, without parsing it again (its escapes stay)."""
    from rich.highlighter import JSONHighlighter

    shown = JSONHighlighter()(text)
    shown.no_wrap = True
    shown.overflow = None
    return shown


def render_lines(con: Any, renderable: Any) -> list[str]:
    """A rich renderable as lines, without the padding rich leaves at line ends."""
    with con.capture() as captured:
        con.print(renderable)
    return [text.rstrip() for text in captured.get().splitlines()]


def table(resources: list[dict[str, Any]], width: int, keys: list[str] | None = None) -> tuple[Any, list[str]]:
    """A table that fits `width`, one line per resource, and the keys of the columns left out.

    `keys` are the columns (default: id, name and the rest). Ids are never wrapped or cut. Columns are
    served from the left (id, name, ...): each text column gets up to TEXT_WIDTH, cut with an ellipsis
    beyond; the first that cannot get MIN_TEXT_WIDTH (or an id column its full width) is left out with
    all after it. Space left over widens the cut columns."""
    from rich.table import Table
    from rich.text import Text

    keys = keys or columns(resources)
    # one line per row; what a server sent is shown, never acted on by the terminal
    cells = {k: [escape_controls(human(k, item.get(k)).replace("\n", " ")) for item in resources] for k in keys}
    natural = {k: max(cell_len(text) for text in [k, *cells[k]]) for k in keys}
    ids = {k for k in keys if all(text == "-" or is_id(k, text) for text in cells[k])}
    widths: dict[str, int] = {}
    left = width
    for key in keys:
        room = left - (2 if widths else 0)
        want = natural[key] if key in ids else min(natural[key], TEXT_WIDTH)
        if room >= want or not widths:
            widths[key] = want
        elif key not in ids and room >= min(natural[key], MIN_TEXT_WIDTH):
            widths[key] = room
        else:
            break
        left = room - widths[key]
    for key in widths:  # the leftover space, to the columns that were cut, leftmost first
        extra = min(max(left, 0), natural[key] - widths[key])
        widths[key] += extra
        left -= extra
    grid = Table(box=None, pad_edge=False, header_style="bold", show_edge=False)
    for key, column_width in widths.items():
        grid.add_column(Text(key.upper()), no_wrap=True, overflow="ellipsis", width=column_width)
    for row in range(len(resources)):
        # Text, not str: data is shown as it is, never read as rich markup or emoji codes.
        grid.add_row(*(Text(cells[k][row]) for k in widths))
    return grid, keys[len(widths) :]


def pairs_grid(pairs: list[tuple[str, Any]], width: int) -> Any:
    """Keys and values; when both cannot fit side by side, the keys wrap so that no id has to."""
    from rich.table import Table
    from rich.text import Text

    values = [escape_controls(str(value), keep_newlines=True) for _, value in pairs]
    id_width = max(
        (
            cell_len(line)
            for (key, _), text in zip(pairs, values, strict=True)
            for line in text.splitlines()
            if is_id(key, line)
        ),
        default=0,
    )
    key_width = max((cell_len(key) for key, _ in pairs), default=0)
    grid = Table.grid(padding=(0, 2))
    if id_width and key_width + 2 + id_width > width:
        grid.add_column(style="bold", overflow="fold", max_width=max(MIN_TEXT_WIDTH, width - 2 - id_width))
    else:
        grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for (key, _), text in zip(pairs, values, strict=True):
        grid.add_row(Text(escape_controls(key)), Text(text))
    return grid


def cell_len(text: str) -> int:
    """The terminal width of the widest line of a text."""
    from rich.text import Text

    return max((Text(line).cell_len for line in text.splitlines()), default=0)


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
    parts += [TextColumn("{task.fields[rate]}/s{task.fields[flight]}"), TimeElapsedColumn()]
    return RichProgress(Progress(*parts, console=con, transient=False), total)


class NullProgress:
    """The progress of a run nobody watches: does nothing."""

    def __enter__(self) -> NullProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def advance(self, count: int = 1, rate: float = 0.0, in_flight: int | None = None) -> None:
        return None

    def clear(self) -> None:
        return None


class RichProgress:
    def __init__(self, bar: Any, total: int | None):
        self.bar = bar
        self.task = bar.add_task("send", total=total, rate="0", flight="")

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

    def advance(self, count: int = 1, rate: float = 0.0, in_flight: int | None = None) -> None:
        flight = "" if in_flight is None else f", {in_flight} in flight"
        self.bar.update(self.task, advance=count, rate=f"{rate:,.0f}", flight=flight)
