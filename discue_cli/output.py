"""The only module that writes to stdout/stderr: table, TSV, JSON, jq, ids, messages, errors.

stdout carries data only; everything for humans goes to stderr.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from discue_cli.errors import DiscueError, UsageError


def isatty(stream: Any) -> bool:
    """Whether a stream is a terminal (tests replace this to pin the terminal output)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@dataclass
class OutputFormat:
    """The output options of one command."""

    json: bool = False
    pretty: bool = False
    jq: str | None = None
    quiet: bool = False
    _program: Any = field(default=None, repr=False)

    @property
    def structured(self) -> bool:
        return self.json or self.pretty or self.jq is not None

    def check(self) -> None:
        """Reject bad output options before anything is sent."""
        if self.quiet and self.structured:
            raise UsageError("-q/--quiet cannot be combined with --json, --pretty or --jq")
        if self.jq is not None and self._program is None:
            import jq

            try:
                self._program = jq.compile(self.jq)
            except ValueError as exc:
                raise UsageError(f"invalid jq expression: {str(exc).splitlines()[0]}") from None

    def run_jq(self, body: Any) -> list[Any]:
        self.check()
        try:
            return self._program.input_value(body).all()
        except ValueError as exc:
            raise UsageError(f"jq: {str(exc).splitlines()[0]}") from None


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def tsv_cell(value: Any) -> str:
    """One value as a TSV field: never a raw tab or newline, nested values as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = compact(value) if isinstance(value, (dict, list)) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def columns(resources: list[dict[str, Any]]) -> list[str]:
    """Column order: id, name, then every other key in the order first seen."""
    keys: list[str] = ["id", "name"]
    for item in resources:
        for key in item:
            if key not in keys and not key.startswith("_"):
                keys.append(key)
    return keys


def human(key: str, value: Any) -> str:
    """A value as a person reads it in a table."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.endswith("_at") and isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        except (OverflowError, OSError, ValueError):
            return str(value)
    if isinstance(value, list):
        if not value:
            return "-"
        shown = [str(v.get("name") or v.get("id")) if isinstance(v, dict) else str(v) for v in value]
        return ", ".join(shown)
    if isinstance(value, dict):
        return ", ".join(f"{k}={human(k, v)}" for k, v in value.items())
    return str(value)


def flatten(resource: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested objects as dotted keys, for the key/value view."""
    rows: list[tuple[str, Any]] = []
    ordered = columns([resource]) if not prefix else list(resource)
    for key in ordered:
        if key not in resource:
            continue
        value = resource[key]
        if isinstance(value, dict) and value:
            rows.extend(flatten(value, f"{prefix}{key}."))
        else:
            rows.append((prefix + key, value))
    return rows


class Output:
    """Streams, terminal flags and the chosen format; every write goes through here."""

    def __init__(
        self,
        fmt: OutputFormat | None = None,
        *,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        color: bool = True,
    ):
        self.fmt = fmt or OutputFormat()
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.stdout_tty = isatty(self.stdout)
        self.stderr_tty = isatty(self.stderr)
        self.stdin_tty = isatty(sys.stdin)
        self.color = color
        self._consoles: dict[bool, Any] = {}

    # -- plumbing

    def console(self, stderr: bool = False) -> Any:
        if stderr not in self._consoles:
            from rich.console import Console

            tty = self.stderr_tty if stderr else self.stdout_tty
            use_color = tty and self.color
            self._consoles[stderr] = Console(
                file=self.stderr if stderr else self.stdout,
                force_terminal=tty,
                no_color=not use_color,
                color_system="auto" if use_color else None,
                highlight=False,
                soft_wrap=False,
            )
        return self._consoles[stderr]

    def line(self, text: str) -> None:
        """One line of data on stdout."""
        self.stdout.write(text + "\n")

    def flush(self) -> None:
        self.stdout.flush()

    # -- data

    def show(self, reply: Any, noun: str = "results", terminal_view: bool = True) -> None:
        """A reply in the chosen format; `terminal_view=False` prints nothing for a person at a
        terminal who asked for no format (a batch shows its progress there instead)."""
        fmt = self.fmt
        if fmt.jq is not None:
            self.jq_results(reply.body)
        elif fmt.structured:
            self.json(reply.body)
        elif fmt.quiet:
            for resource_id in reply.ids:
                self.line(resource_id)
        elif self.stdout_tty:
            if not terminal_view:
                return
            if reply.single:
                for resource in reply.resources:
                    self.key_values(resource)
            elif reply.resources:
                self.table(reply.resources)
            else:
                self.info(f"No {noun}.")
        else:
            self.tsv(reply.resources)

    def json(self, body: Any) -> None:
        if self.fmt.pretty:
            if self.stdout_tty and self.color:
                self.console().print_json(data=body, indent=2)
            else:
                self.line(json.dumps(body, indent=2, ensure_ascii=False))
        else:
            self.line(compact(body))

    def jq_results(self, body: Any) -> None:
        for result in self.fmt.run_jq(body):
            self.line(result if isinstance(result, str) else compact(result))

    def tsv(self, resources: list[dict[str, Any]]) -> None:
        keys = columns(resources)
        for item in resources:
            self.line("\t".join(tsv_cell(item.get(k)) for k in keys))

    def pairs(self, pairs: list[tuple[str, Any]]) -> None:
        """Key/value data: aligned on a terminal, KEY<TAB>VALUE lines on a pipe."""
        if self.stdout_tty:
            from rich.table import Table
            from rich.text import Text

            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="bold")
            grid.add_column(overflow="fold")
            for key, value in pairs:
                grid.add_row(Text(key), Text(str(value)))
            self.render(grid)
            return
        for key, value in pairs:
            self.line(f"{key}\t{tsv_cell(value)}")

    def table(self, resources: list[dict[str, Any]]) -> None:
        from rich.table import Table
        from rich.text import Text

        keys = columns(resources)
        table = Table(box=None, pad_edge=False, header_style="bold", show_edge=False)
        for key in keys:
            table.add_column(Text(key.upper()), no_wrap=key == "id", overflow="ellipsis")
        for item in resources:
            # Text, not str: data is shown as it is, never read as rich markup or emoji codes.
            table.add_row(*(Text(human(k, item.get(k))) for k in keys))
        self.render(table)

    def key_values(self, resource: dict[str, Any]) -> None:
        self.pairs([(key, human(key, value)) for key, value in flatten(resource)])

    def render(self, renderable: Any) -> None:
        """A rich renderable on stdout, without the padding rich leaves at line ends."""
        console = self.console()
        with console.capture() as captured:
            console.print(renderable)
        for text in captured.get().splitlines():
            self.line(text.rstrip())

    # -- for humans, on stderr

    def info(self, message: str) -> None:
        self.stderr.write(message + "\n")

    def warn(self, message: str) -> None:
        self.stderr.write(f"Warning: {message}\n")

    def exchange(self, method: str, url: str, outcome: str, ms: float) -> None:
        self.stderr.write(f"{method} {url} {outcome} {ms:.0f}ms\n")
        self.stderr.flush()

    def error(self, exc: DiscueError) -> None:
        if self.fmt.structured:
            payload: dict[str, Any] = {"title": exc.title, "status": exc.status, "exit_code": exc.exit_code}
            if exc.hint:
                payload["hint"] = exc.hint
            self.stderr.write(compact(payload) + "\n")
            return
        status = f" ({exc.status})" if exc.status is not None else ""
        self.stderr.write(f"Error: {exc.title}{status}\n")
        if exc.hint:
            self.stderr.write(f"Hint: {exc.hint}\n")

    def confirm(self, question: str) -> bool:
        """Ask on stderr, read the answer from stdin; anything but yes is no."""
        import signal

        # Inside asyncio.run, Ctrl-C only schedules a cancel, which a blocking read never sees:
        # let it raise KeyboardInterrupt while the question is up (switched before it is shown).
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            self.stderr.write(f"{question} [y/N]: ")
            self.stderr.flush()
            answer = sys.stdin.readline()
        except KeyboardInterrupt:
            self.stderr.write("\n")
            raise
        finally:
            signal.signal(signal.SIGINT, previous)
        if not answer:
            self.stderr.write("\n")
        return answer.strip().lower() in ("y", "yes")

    def progress(self, total: int | None, label: str) -> Any:
        """A progress bar on a terminal's stderr; a no-op elsewhere."""
        if not self.stderr_tty:
            return NullProgress()
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns_ = [TextColumn(label), BarColumn(), MofNCompleteColumn()]
        if total:
            columns_ += [TaskProgressColumn(), TimeRemainingColumn()]
        columns_ += [TextColumn("{task.fields[rate]}/s"), TimeElapsedColumn()]
        return RichProgress(Progress(*columns_, console=self.console(stderr=True), transient=False), total)


class NullProgress:
    def __enter__(self) -> NullProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def advance(self, count: int = 1, rate: float = 0.0) -> None:
        return None


class RichProgress:
    def __init__(self, progress: Any, total: int | None):
        self.progress = progress
        self.task = progress.add_task("send", total=total, rate="0")

    def __enter__(self) -> RichProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def advance(self, count: int = 1, rate: float = 0.0) -> None:
        self.progress.update(self.task, advance=count, rate=f"{rate:,.0f}")
