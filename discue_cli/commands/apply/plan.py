"""The difference between the declared state and the server's, as an ordered list of changes (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from discue_cli.commands.apply.model import Declared, QueueSpec
from discue_cli.commands.apply.rules import normalised
from discue_cli.errors import UsageError
from discue_cli.output.plan import printable

SYMBOLS = {"add": "+", "change": "~", "delete": "-"}


@dataclass
class Listener:
    """A listener as the server has it."""

    id: str
    name: str
    notify_url: str | None = None
    liveness_url: str | None = None


@dataclass
class Queue:
    """A queue as the server has it."""

    id: str
    name: str
    schema: dict[str, Any] | None = None
    listeners: list[Listener] = field(default_factory=list)


@dataclass
class Change:
    """One write: what it does (action, kind, names, fields) and what it needs to send."""

    action: str  # add | change | delete
    kind: str  # queue | listener
    queue: str
    name: str
    fields: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # what is sent (add, change)
    before: dict[str, Any] = field(default_factory=dict)  # the server's values of changed fields
    queue_id: str | None = None  # None until the queue is created
    listener_id: str | None = None

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.action]

    @property
    def label(self) -> str:
        return self.queue if self.kind == "queue" else f"{self.queue}/{self.name}"

    def as_json(self) -> dict[str, Any]:
        return {"action": self.action, "kind": self.kind, "queue": self.queue, "name": self.name, "fields": self.fields}


def plan(declared: Declared, server: list[Queue], prune: bool) -> list[Change]:
    """Adds and changes in file order, then (with prune) deletes: nothing is removed before its
    replacement exists, and a run that stops part-way has deleted nothing it was not done with."""
    names = {spec.name for spec in declared.queues}
    by_name = matching(server, names, "queues")
    changes: list[Change] = []
    deletes: list[Change] = []
    for spec in declared.queues:
        queue = by_name.get(spec.name)
        if queue is None:
            values = {"schema": spec.schema} if spec.schema else {}
            changes.append(Change("add", "queue", spec.name, spec.name, list(values), values))
            changes += listener_changes(spec, None, {})
            continue
        if normalised(spec.schema) != normalised(queue.schema):
            change = Change("change", "queue", spec.name, spec.name, ["schema"], queue_id=queue.id)
            change.values, change.before = {"schema": spec.schema}, {"schema": queue.schema}
            changes.append(change)
        declared_listeners = {listener.name for listener in spec.listeners}
        current = matching(queue.listeners, declared_listeners, f"listeners in queue '{printable(spec.name)}'")
        changes += listener_changes(spec, queue.id, current)
        if prune:
            for listener in sorted(queue.listeners, key=lambda item: item.name):
                if listener.name not in declared_listeners:
                    deletes.append(Change("delete", "listener", spec.name, listener.name, queue_id=queue.id))
                    deletes[-1].listener_id = listener.id
    if prune:
        for queue in sorted(server, key=lambda item: item.name):
            if queue.name not in names:
                deletes.append(Change("delete", "queue", queue.name, queue.name, queue_id=queue.id))
    return changes + deletes


def listener_changes(spec: QueueSpec, queue_id: str | None, current: dict[str, Listener]) -> list[Change]:
    """The declared listeners that are missing (add) or whose URLs differ (change, only those fields)."""
    changes: list[Change] = []
    for listener in spec.listeners:
        wanted = {"notify_url": listener.notify_url, "liveness_url": listener.liveness_url}
        found = current.get(listener.name)
        change = Change("add", "listener", spec.name, listener.name, list(wanted), wanted, queue_id=queue_id)
        if found is not None:
            differ = [key for key, value in wanted.items() if getattr(found, key) != value]
            if not differ:
                continue
            change = Change("change", "listener", spec.name, listener.name, differ, queue_id=queue_id)
            change.values = {key: wanted[key] for key in differ}
            change.before = {key: getattr(found, key) for key in differ}
            change.listener_id = found.id
        changes.append(change)
    return changes


def matching(items: list[Any], declared: set[str], what: str) -> dict[str, Any]:
    """Server resources by name; two of them under one declared name cannot be matched to it."""
    found: dict[str, Any] = {}
    for item in items:
        if item.name in found and item.name in declared:
            ids = ", ".join(printable(str(other.id)) for other in items if other.name == item.name)
            raise UsageError(
                f"the server has several {what} named '{printable(item.name)}' (ids {ids})",
                hint="delete the extra ones by id, then apply again",
            )
        found.setdefault(item.name, item)
    return found


def counts(changes: list[Change]) -> tuple[int, int, int]:
    return tuple(sum(1 for c in changes if c.action == action) for action in ("add", "change", "delete"))  # type: ignore[return-value]
