"""Reading a command line against the command tree, before typer parses it: where the global options
stand (they may follow the verb) and what a Tab is asked to complete.

Only the tree's public attributes are read (`commands`, `params`, an option's `opts`, `is_flag`,
`nargs`), so this works on whatever click typer carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def options(command: Any) -> dict[str, Any]:
    """A command's options by every name they answer to (`--json`, `-q`, `--no-color`, ...)."""
    named: dict[str, Any] = {}
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") == "option":
            for name in [*param.opts, *param.secondary_opts]:
                named[name] = param
    return named


def takes_value(param: Any) -> int:
    """How many words an option consumes after its name (0 for a flag)."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return 0
    return max(int(getattr(param, "nargs", 1) or 1), 1)


def hoist_globals(root: Any, args: list[str]) -> list[str]:
    """The same command line with every root option given after the noun moved to just before the noun.

    A verb's own option of the same name stays (it means the verb's thing: `emulator serve --api-key`);
    nothing after `--` moves, nor a word that is some option's value. The moved options come after
    those given before the noun, so the last one given wins, as typed."""
    root_options = options(root)
    command, out, moved = root, [], []
    noun_at: int | None = None
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            out.extend(args[i:])
            break
        if word.startswith("-") and word != "-":
            name, eq, _ = word.partition("=")
            own = options(command)
            if command is not root and name not in own and name in root_options:
                width = 1 + (0 if eq else takes_value(root_options[name]))
                moved.extend(args[i : i + width])
                i += width
                continue
            param = own.get(name)
            width = 1 + (0 if eq or param is None else takes_value(param))
            out.extend(args[i : i + width])
            i += width
            continue
        sub = getattr(command, "commands", {}).get(word) if hasattr(command, "commands") else None
        if sub is None and hasattr(command, "commands"):
            out.extend(args[i:])  # not a command: typer says so
            break
        if sub is not None:
            if noun_at is None:
                noun_at = len(out)
            command = sub
        out.append(word)
        i += 1
    if not moved:
        return list(args)
    at = len(out) if noun_at is None else noun_at
    return out[:at] + moved + out[at:]


@dataclass
class Spot:
    """What a Tab completes: the command reached, the word typed so far, and what kind of word it is."""

    path: list[Any]  # the commands from the root to the one reached
    incomplete: str
    option: Any = None  # the option whose value is typed
    argument: Any = None  # or the argument
    wants: str = "value"  # "value", "option" (a name starting with -), or "command"
    root_values: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)  # the reached command's words so far, by param name


def locate(root: Any, words: list[str]) -> Spot:
    """Where the last of `words` (what is typed after `discue`, the last one unfinished) stands."""
    *done, incomplete = words or [""]
    root_options = options(root)
    path = [root]
    root_values: dict[str, Any] = {}
    values: dict[str, Any] = {}
    positionals: list[str] = []
    pending: Any = None
    pending_store: dict[str, Any] = {}
    only_arguments = False
    for word in done:
        command = path[-1]
        if pending is not None:
            pending_store[pending.name] = word
            pending = None
            continue
        if word == "--" and not only_arguments:
            only_arguments = True
            continue
        if word.startswith("-") and word != "-" and not only_arguments:
            name, eq, value = word.partition("=")
            own = options(command)
            param = own.get(name) or root_options.get(name)
            if param is None:
                continue
            store = values if name in own and command is not root else root_values
            if takes_value(param) and not eq:
                pending, pending_store = param, store
            else:
                store[param.name] = value if eq else True
            continue
        sub = getattr(command, "commands", {}).get(word) if hasattr(command, "commands") else None
        if sub is not None and not positionals:
            path.append(sub)
            values = {}
            continue
        positionals.append(word)
    command = path[-1]
    spot = Spot(path, incomplete, root_values=root_values, values=values)
    if pending is not None:
        spot.option = pending
        return spot
    if incomplete.startswith("-") and not only_arguments:
        spot.wants = "option"
        return spot
    if hasattr(command, "commands"):
        spot.wants = "command"
        return spot
    arguments = [p for p in command.params if getattr(p, "param_type_name", "") == "argument"]
    index = len(positionals)
    for argument in arguments:
        if argument.nargs == -1:
            values[argument.name] = positionals
            spot.argument = argument
            return spot
        if index == 0:
            spot.argument = argument
            return spot
        values[argument.name] = positionals.pop(0)
        index -= 1
    spot.wants = "nothing"
    return spot
