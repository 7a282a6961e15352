"""discue apply: make the server's queues and listeners match a TOML file (see README, "Declarative")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from discue_cli.commands._common import context, run
from discue_cli.errors import SilentExit, UsageError
from discue_cli.output import Output, OutputFormat

if TYPE_CHECKING:
    from discue_cli.commands.apply.model import Declared
    from discue_cli.commands.apply.plan import Change

DEFAULT_FILE = "discue.toml"
CHECK_FAILED = 8


@dataclass
class ApplyOptions:
    declared: Declared
    file: str
    mode: str = "apply"  # apply | dry-run | check
    prune: bool = False
    yes: bool = False


def configured_generation(settings: Any) -> str | None:
    """The API generation the settings pin, if any (`auto` pins none)."""
    value = getattr(settings, "api_version", None)
    return value if isinstance(value, str) and value != "auto" else None


def summary(changes: list[Change], mode: str, file: str) -> str:
    """The stderr line that closes a run."""
    from discue_cli.commands.apply.plan import counts

    if not changes:
        return "No changes."
    added, changed, deleted = counts(changes)
    if mode == "apply":
        return f"Applied: {added} added, {changed} changed, {deleted} deleted."
    outcome = f"The server differs from {file}." if mode == "check" else "Nothing changed (--dry-run)."
    return f"Plan: {added} to add, {changed} to change, {deleted} to delete. {outcome}"


class Shower:
    """Writes changes as they are planned or applied: plain lines, aligned colored lines, or JSON at the end."""

    def __init__(self, out: Output, changes: list[Change]):
        from discue_cli.output.plan import label_width

        self.out = out
        self.width = label_width(changes)
        self.shown: list[Change] = []
        self.reader_gone = False

    def __call__(self, change: Change) -> None:
        from discue_cli.output.plan import change_line, terminal_lines

        self.shown.append(change)
        if self.out.fmt.json or self.reader_gone:
            return
        try:
            if self.out.stdout_tty:
                for line in terminal_lines(self.out.console(), change, self.width):
                    self.out.line(line)
            else:
                self.out.line(change_line(change))
            self.out.flush()
        except BrokenPipeError:
            # `discue apply | head -1`: the reader has seen enough, but the server must not be left half done.
            from discue_cli.output import silence_stdout

            silence_stdout()
            self.reader_gone = True

    def close(self) -> None:
        if self.out.fmt.json:
            self.out.json([change.as_json() for change in self.shown])


async def apply_run(opts: ApplyOptions, client: Any, out: Output) -> int:
    from discue_cli.api.generations import SINCE_2023, refuse_unless
    from discue_cli.commands.apply.execute import execute
    from discue_cli.commands.apply.plan import plan
    from discue_cli.commands.apply.state import read_server

    names = {queue.name for queue in opts.declared.queues}
    server = await read_server(client, lambda queue: queue.name in names)
    if any(queue.schema for queue in opts.declared.queues):
        # The replies may have shown a generation without schemas: say so before the first write, not part-way.
        refuse_unless(client, "queue schemas", SINCE_2023)
    changes = plan(opts.declared, server, opts.prune)
    show = Shower(out, changes)
    if opts.mode != "apply" or not changes:
        for change in changes:
            show(change)
        show.close()
        out.info(summary(changes, opts.mode, opts.file))
        return CHECK_FAILED if opts.mode == "check" and changes else 0
    confirm_prune(out, opts.yes, [c for c in changes if c.action == "delete"])
    try:
        await execute(client, changes, show)
    except BaseException as exc:
        report_stop(out, changes, len(show.shown), exc, rerun_command(opts))
        raise
    finally:
        show.close()
    out.info(summary(changes, opts.mode, opts.file))
    return 0


def show_problems(out: Output, error: Any) -> None:
    """Every problem of a file, one line each, above the error that counts them; a JSON error carries them all."""
    if len(error.problems) < 2:
        return
    if out.json_errors:
        error.title += ": " + "; ".join(error.problems)
        return
    for problem in error.problems:
        out.info(problem)


def confirm_prune(out: Output, yes: bool, deletes: list[Change]) -> None:
    """`delete`'s guard, before the first write: ask on a terminal; refuse without one and without --yes."""
    from discue_cli.output.plan import change_line

    if not deletes or yes:
        return
    if not out.stdin_tty:
        raise UsageError(
            f"refusing to delete {len(deletes)} resource(s) (--prune) without --yes in a non-interactive run; "
            "nothing changed",
            hint="add --yes to delete them, or run `discue apply --dry-run --prune` to see what would go",
        )
    queues = sum(1 for c in deletes if c.kind == "queue")
    lines = [
        f"  {change_line(c)}" + (" (with its listeners and messages)" if c.kind == "queue" else "") for c in deletes
    ]
    out.info("--prune deletes what the file does not declare:\n" + "\n".join(lines))
    if not out.confirm(f"Delete {queues} queue(s) and {len(deletes) - queues} listener(s), and apply the rest?"):
        out.info("Nothing changed.")
        raise SilentExit(2)


def rerun_command(opts: ApplyOptions) -> str:
    import shlex

    return (
        "discue apply"
        + ("" if opts.file == DEFAULT_FILE else f" -f {shlex.quote(opts.file)}")
        + (" --prune" if opts.prune else "")
    )


def report_stop(out: Output, changes: list[Change], applied: int, exc: BaseException, rerun: str) -> None:
    """Say what was applied, what failed (or was in flight) and what was not, so a rerun can finish."""
    from discue_cli.errors import DiscueError
    from discue_cli.output.plan import change_line

    if applied >= len(changes):
        return
    stopped, rest = changes[applied], changes[applied + 1 :]
    failed = isinstance(exc, DiscueError)
    head = "Failed" if failed else "Interrupted during (it may or may not have been applied)"
    note = f"Applied {applied} of {len(changes)} change(s); run `{rerun}` again to complete the rest."
    if out.fmt.json and failed:
        extra = f"{head.lower()}: {change_line(stopped)}; {len(rest)} more not applied. {note}"
        exc.hint = f"{exc.hint}; {extra}" if exc.hint else extra
        return
    out.info(f"{head}: {change_line(stopped)}")
    if rest:
        out.info(f"Not applied ({len(rest)}):\n" + "\n".join(f"  {change_line(c)}" for c in rest))
    out.info(note)


def register(root: typer.Typer) -> None:
    @root.command("apply")
    def apply(
        ctx: typer.Context,
        file: Annotated[
            str, typer.Option("--file", "-f", metavar="FILE|-", help="The declarations (- reads stdin).")
        ] = DEFAULT_FILE,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan; change nothing.")] = False,
        check: Annotated[
            bool, typer.Option("--check", help="Print the plan; change nothing; exit 8 if anything would change.")
        ] = False,
        prune: Annotated[
            bool, typer.Option("--prune", help="Also delete the queues and listeners the file does not declare.")
        ] = False,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Prune without asking.")] = False,
        json_: Annotated[bool, typer.Option("--json", help="Print the changes as a JSON array.")] = False,
    ) -> None:
        """Make the server's queues and listeners match a file (default discue.toml)."""
        from discue_cli.commands._input import read_bytes
        from discue_cli.commands.apply.model import FileProblems, load

        if dry_run and check:
            raise UsageError("--dry-run and --check cannot be combined")
        c = context(ctx)
        fmt = OutputFormat(json=json_)
        c.output(fmt)
        generation = configured_generation(c.settings())
        label = "stdin" if file == "-" else file
        try:
            raw = read_bytes(file, c.streams.stdin_bytes)
        except UsageError as exc:
            if file == DEFAULT_FILE:
                exc.hint = "write one (`discue export > discue.toml` starts it from the server) or pass -f FILE"
            raise
        try:
            declared = load(label, raw, generation)
        except FileProblems as exc:
            show_problems(c.output(), exc)
            raise
        mode = "check" if check else "dry-run" if dry_run else "apply"
        run(ctx, apply_run, ApplyOptions(declared, file, mode, prune, yes), fmt, loop=True)
