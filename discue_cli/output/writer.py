"""Output: streams, the chosen format, and every write of a command (data on stdout, the rest on stderr)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from discue_cli.errors import DiscueError, UsageError
from discue_cli.output.formats import (
    VIEW_ITEMS,
    columns,
    compact,
    escape_controls,
    flatten,
    human,
    json_for_terminal,
    tsv_cell,
    tsv_row,
)


def isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@dataclass
class IOStreams:
    """The three standard streams and whether each is a terminal (tests set the flags)."""

    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    stdin_tty: bool = False
    stdout_tty: bool = False
    stderr_tty: bool = False

    @property
    def stdin_bytes(self) -> Any:
        """stdin as bytes (for --data-file -, --batch -, @-)."""
        return getattr(self.stdin, "buffer", self.stdin)

    @classmethod
    def system(cls, **tty: bool) -> IOStreams:
        """The process's streams; `tty` overrides the detected flags (stdin_tty=True, ...)."""
        streams = cls(sys.stdin, sys.stdout, sys.stderr)
        streams.stdin_tty = tty.get("stdin_tty", isatty(sys.stdin))
        streams.stdout_tty = tty.get("stdout_tty", isatty(sys.stdout))
        streams.stderr_tty = tty.get("stderr_tty", isatty(sys.stderr))
        return streams


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
                raise UsageError(f"invalid jq expression: {jq_reason(exc)}") from None

    def run_jq(self, body: Any) -> list[Any]:
        self.check()
        try:
            return self._program.input_value(body).all()
        except ValueError as exc:
            raise UsageError(f"jq: {str(exc).splitlines()[0]}") from None


def jq_reason(exc: Exception) -> str:
    """jq's compile error on one line: `jq: error: X at <top-level>, line 1, column 2:` and then a caret
    drawing, which a one-line error cannot show, becomes `X at line 1, column 2`."""
    first = (str(exc).splitlines() or ["?"])[0]
    return first.removeprefix("jq: error: ").replace(" at <top-level>, ", " at ").rstrip(":")


class Output:
    """Streams, terminal flags and the chosen format; every write goes through here."""

    def __init__(self, streams: IOStreams | None = None, fmt: OutputFormat | None = None, *, color: bool = True):
        self.streams = streams or IOStreams.system()
        self.fmt = fmt or OutputFormat()
        self.stdout = self.streams.stdout
        self.stderr = self.streams.stderr
        self.stdout_tty = self.streams.stdout_tty
        self.stderr_tty = self.streams.stderr_tty
        self.stdin_tty = self.streams.stdin_tty
        self.color = color
        self._consoles: dict[bool, Any] = {}
        self._bar: Any = None  # a running progress bar: lines for humans go above it

    @property
    def terminal_view(self) -> bool:
        """A person reads stdout and asked for no format: tables, key/value views, summaries."""
        return self.stdout_tty and not (self.fmt.structured or self.fmt.quiet)

    # -- plumbing

    def console(self, stderr: bool = False) -> Any:
        if stderr not in self._consoles:
            from discue_cli.output.terminal import console

            stream, tty = (self.stderr, self.stderr_tty) if stderr else (self.stdout, self.stdout_tty)
            self._consoles[stderr] = console(stream, tty, self.color)
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
                self.line(escape_controls(resource_id) if self.stdout_tty else resource_id)
        elif self.stdout_tty:
            if not terminal_view:
                return
            if reply.single:
                for resource in reply.resources:
                    self.key_values(resource)
            elif reply.resources:
                self.table(reply.resources, getattr(reply, "columns", None))
            else:
                self.info(f"No {noun}.")
        else:
            self.tsv(reply.resources, getattr(reply, "columns", None))

    def json(self, body: Any) -> None:
        text = json.dumps(body, indent=2, ensure_ascii=False) if self.fmt.pretty else compact(body)
        if not self.stdout_tty:
            self.line(text)  # the data as the server sent it
            return
        text = json_for_terminal(text)  # a CSI (U+009B) or a bidi override in a name must not act on the terminal
        if self.fmt.pretty and self.color:
            from discue_cli.output.terminal import highlighted_json

            self.console().print(highlighted_json(text), soft_wrap=True)
        else:
            self.line(text)

    def jq_results(self, body: Any) -> None:
        for result in self.fmt.run_jq(body):
            text = result if isinstance(result, str) else compact(result)
            self.line(escape_controls(text, keep_newlines=True) if self.stdout_tty else text)

    def tsv(self, resources: list[dict[str, Any]], keys: list[str] | None = None) -> None:
        keys = keys or columns(resources)
        for item in resources:
            self.line(tsv_row(item, keys))

    def pairs(self, pairs: list[tuple[str, Any]]) -> None:
        """Key/value data: aligned on a terminal, KEY<TAB>VALUE lines on a pipe."""
        if self.stdout_tty:
            from discue_cli.output.terminal import pairs_grid

            self.render(pairs_grid(pairs, self.console().width))
            return
        for key, value in pairs:
            self.line(f"{key}\t{tsv_cell(value)}")

    def table(self, resources: list[dict[str, Any]], keys: list[str] | None = None) -> None:
        from discue_cli.output.terminal import table

        grid, hidden = table(resources, self.console().width, keys)
        self.render(grid)
        if hidden:
            self.info(f"Not shown at this width: {', '.join(hidden)} (--json or a pipe shows every field).")

    def key_values(self, resource: dict[str, Any]) -> None:
        """One resource, a key per line; a list shows its first items one per line, then a count of the rest."""
        self.pairs([(key, human(key, value, items=VIEW_ITEMS, sep="\n")) for key, value in flatten(resource)])

    def render(self, renderable: Any) -> None:
        from discue_cli.output.terminal import render_lines

        for text in render_lines(self.console(), renderable):
            self.line(text)

    # -- for humans, on stderr

    def info(self, message: str) -> None:
        message = escape_controls(message, keep_newlines=True)  # it may quote a server's words
        if self._bar is not None and self._bar.running:
            self._bar.print(message)
            return
        self.stderr.write(message + "\n")

    def warn(self, message: str) -> None:
        self.stderr.write(f"Warning: {escape_controls(message, keep_newlines=True)}\n")

    def exchange(self, method: str, url: str, outcome: str, ms: float) -> None:
        self.stderr.write(f"{method} {url} {outcome} {ms:.0f}ms\n")
        self.stderr.flush()

    @property
    def json_errors(self) -> bool:
        """Errors as JSON objects: a format was chosen, and it was --json/--pretty or no person reads stderr
        (a bad --jq typed at a terminal gets a human line)."""
        return self.fmt.structured and (self.fmt.json or self.fmt.pretty or not self.stderr_tty)

    def error(self, exc: DiscueError) -> None:
        if self.json_errors:
            payload: dict[str, Any] = {"title": exc.title, "status": exc.status, "exit_code": exc.exit_code}
            if exc.hint:
                payload["hint"] = exc.hint
            text = compact(payload)
            self.stderr.write((json_for_terminal(text) if self.stderr_tty else text) + "\n")
            return
        status = f" ({exc.status})" if exc.status is not None else ""
        self.stderr.write(f"Error: {escape_controls(exc.title)}{status}\n")
        if exc.hint:
            self.stderr.write(f"Hint: {escape_controls(exc.hint)}\n")

    def confirm(self, question: str) -> bool:
        from discue_cli.output.prompt import confirm

        return confirm(escape_controls(question, keep_newlines=True), self.streams.stdin, self.stderr)

    def secret(self, prompt: str) -> str:
        from discue_cli.output.prompt import secret

        return secret(prompt, self.stderr)

    def progress(self, total: int | None, label: str, *, show: bool = True) -> Any:
        """A progress bar on a terminal's stderr; a no-op elsewhere (and where not `show`n)."""
        from discue_cli.output.terminal import NullProgress, progress

        if not self.stderr_tty or not show:
            return NullProgress()
        self._bar = progress(self.console(stderr=True), total, label)
        return self._bar
