"""The declared state: a discue.toml read and checked whole, before any request is sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from discue_cli.api.generations import SINCE_2023
from discue_cli.commands.apply.rules import schema_problems
from discue_cli.errors import UsageError
from discue_cli.generations import GENERATIONS
from discue_cli.output.plan import printable

MAX_NAME = 256
TOP_KEYS = ("queues",)
QUEUE_KEYS = ("name", "schema", "listeners")
LISTENER_KEYS = ("name", "notify_url", "liveness_url")
URL_KEYS = ("notify_url", "liveness_url")
NO_SCHEMA_GENERATIONS = tuple(g for g in GENERATIONS if g not in SINCE_2023)


@dataclass(frozen=True)
class ListenerSpec:
    name: str
    notify_url: str
    liveness_url: str


@dataclass(frozen=True)
class QueueSpec:
    name: str
    schema: dict[str, Any] | None = None
    listeners: tuple[ListenerSpec, ...] = ()


@dataclass
class Declared:
    queues: list[QueueSpec] = field(default_factory=list)


def load(label: str, raw: bytes, generation: str | None = None) -> Declared:
    """Parse and check a whole file; every problem is a UsageError naming `label` (the file)."""
    import tomllib

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{label}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileProblems(label, [toml_problem(label, str(exc), text)]) from None
    declared, problems = check(data, generation)
    if problems:
        from discue_cli.commands.apply.places import Places

        places = Places(text)
        raise FileProblems(label, [at(label, places.line_of(problem), problem) for problem in problems])
    return declared


class FileProblems(UsageError):
    """Every problem of a file, each as `FILE:LINE: problem` (`FILE: problem` where no line tells)."""

    def __init__(self, label: str, problems: list[str]):
        self.problems = problems
        title = problems[0] if len(problems) == 1 else f"{label}: {len(problems)} problems; nothing was sent"
        super().__init__(title)


def at(label: str, line: int | None, problem: str) -> str:
    return f"{label}:{line}: {problem}" if line else f"{label}: {problem}"


def toml_problem(label: str, message: str, text: str) -> str:
    """tomllib's error with its line up front: `(at line 3, column 11)` becomes `FILE:3: ... (column 11)`."""
    import re

    found = re.search(r" \(at line (\d+), column (\d+)\)$", message)
    if found:
        return at(label, int(found.group(1)), f"invalid TOML: {message[: found.start()]} (column {found.group(2)})")
    if message.endswith(" (at end of document)"):
        last = len(text.splitlines()) or 1
        return at(label, last, f"invalid TOML: {message.removesuffix(' (at end of document)')} (at the end)")
    return at(label, None, f"invalid TOML: {message}")


def check(data: dict[str, Any], generation: str | None = None) -> tuple[Declared, list[str]]:
    """The declared state and every problem found in parsed TOML (problems first to last)."""
    problems = [
        f"unknown key '{printable(key)}' (expected {', '.join(TOP_KEYS)})" for key in data if key not in TOP_KEYS
    ]
    if "queues" not in data:
        # An empty file must not read as "no queues": with --prune that would delete them all.
        problems.append("no queues declared (write `queues = []` to declare that there are none)")
        return Declared(), problems
    entries = data["queues"]
    if not isinstance(entries, list):
        return Declared(), [*problems, "queues: expected [[queues]] tables"]
    declared = Declared()
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            problems.append(f"queue #{number}: expected a table")
            continue
        where, bad_name, found = check_entry(entry, f"queue #{number}", number, QUEUE_KEYS, seen, TWICE_QUEUE)
        problems += found
        name = entry.get("name")
        schema = entry.get("schema")
        if "schema" in entry:
            problems += schema_problems(schema, f"{where}: schema")
            if generation in NO_SCHEMA_GENERATIONS:
                problems.append(f"{where}: the {generation} API generation has no queue schemas")
        listeners, found = check_listeners(entry.get("listeners", []), where)
        problems += found
        if not bad_name:
            declared.queues.append(QueueSpec(name, schema if isinstance(schema, dict) else None, listeners))
    return declared, problems


TWICE_QUEUE = "(queue #{first} and #{number})"
TWICE_LISTENER = "in this queue (#{first} and #{number})"


def check_entry(
    entry: dict[str, Any], label: str, number: int, keys: tuple[str, ...], seen: dict[str, int], twice: str
) -> tuple[str, list[str], list[str]]:
    """What every [[table]] entry must be: a usable name, declared once (`seen` maps names to the entry
    that first declared them; `twice` says where, with `{first}` and `{number}`), no unknown key. Returns the entry's
    place for messages (with its name once usable), the name's own problems, and all problems."""
    name = entry.get("name")
    bad_name = name_problems(name, label)
    problems = list(bad_name)
    where = label
    if not bad_name:
        where = f"{label} '{name}'"
        if name in seen:
            problems.append(f"{where}: the name is declared twice {twice.format(first=seen[name], number=number)}")
        seen.setdefault(name, number)
    problems += [f"{where}: unknown key '{printable(k)}' (expected {', '.join(keys)})" for k in entry if k not in keys]
    return where, bad_name, problems


def check_listeners(entries: Any, queue_where: str) -> tuple[tuple[ListenerSpec, ...], list[str]]:
    if not isinstance(entries, list):
        return (), [f"{queue_where}: listeners: expected [[queues.listeners]] tables"]
    listeners: list[ListenerSpec] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, 1):
        label = f"{queue_where}, listener #{number}"
        if not isinstance(entry, dict):
            problems.append(f"{label}: expected a table")
            continue
        where, _, found = check_entry(entry, label, number, LISTENER_KEYS, seen, TWICE_LISTENER)
        problems += found
        for key in URL_KEYS:
            problems += url_problems(entry.get(key), f"{where}: {key}")
        if all(isinstance(entry.get(k), str) for k in LISTENER_KEYS):
            listeners.append(ListenerSpec(entry["name"], entry["notify_url"], entry["liveness_url"]))
    return tuple(listeners), problems


def name_problems(name: Any, where: str) -> list[str]:
    if name is None:
        return [f"{where}: missing name"]
    if not isinstance(name, str) or not name.strip():
        return [f"{where}: name must be a non-empty string"]
    if len(name) > MAX_NAME:
        return [f"{where}: name is longer than {MAX_NAME} characters"]
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return [f"{where}: name contains a control character"]
    return []


def url_problems(value: Any, where: str) -> list[str]:
    """An http(s) URL with a host and, when given, a valid port."""
    if value is None:
        return [f"{where}: missing"]
    if not isinstance(value, str):
        return [f"{where}: expected a URL string"]
    from discue_cli.urls import url_problem

    problem = url_problem(value)
    return [f"{where}: {problem}"] if problem else []
