"""Where in a discue.toml each problem is: the line of the key it names, else of its table's header.

tomllib gives values, not positions, so the file's lines are read for the `[[queues]]` and
`[[queues.listeners]]` headers that the problems' `queue #N` and `listener #M` count (a file written with
inline tables has none: its problems go without a line)."""

from __future__ import annotations

import re

HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
KEY_LINE = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*[=.]""")
PLACE = re.compile(r"^queue #(\d+)")
LISTENER = re.compile(r", listener #(\d+)")
UNKNOWN = re.compile(r"unknown key '(.*)' \(expected")
NAMED_KEYS = ("schema", "listeners", "notify_url", "liveness_url")


class Places:
    def __init__(self, text: str):
        self.lines = text.splitlines()
        headers = [
            (i, m.group(1), re.sub(r"\s+", "", m.group(2)))
            for i, line in enumerate(self.lines)
            if (m := HEADER.match(line))
        ]
        self.first_header = headers[0][0] if headers else len(self.lines)
        self.queues: list[list[int]] = []  # [start, end) of each [[queues]] entry, sub-tables included
        self.listeners: list[list[tuple[int, int]]] = []
        for n, (start, brackets, name) in enumerate(headers):
            end = headers[n + 1][0] if n + 1 < len(headers) else len(self.lines)
            if brackets == "[[" and name == "queues":
                self.queues.append([start, end])
                self.listeners.append([])
            elif self.queues and name.startswith("queues."):
                self.queues[-1][1] = end
                if brackets == "[[" and name == "queues.listeners":
                    self.listeners[-1].append((start, end))

    def line_of(self, problem: str) -> int | None:
        """The 1-based line a problem (as model.check words it) is about, or None."""
        unknown = UNKNOWN.search(problem)
        place = PLACE.match(problem)
        if place is None:  # a top-level key
            key = unknown.group(1) if unknown else "queues"
            return self.key_line(range(0, self.first_header), key)
        number = int(place.group(1))
        if number > len(self.queues):
            return None
        start, end = self.queues[number - 1]
        spans = self.listeners[number - 1]
        listener = LISTENER.search(problem)
        if listener is not None:
            m = int(listener.group(1))
            if m > len(spans):
                return None
            start, end = spans[m - 1]
            region = list(range(start, end))
        else:
            inside = {i for s, e in spans for i in range(s, e)}
            region = [i for i in range(start, end) if i not in inside]
        key = unknown.group(1) if unknown else key_named(problem)
        found = self.key_line(region, key) if key else None
        return found or start + 1

    def key_line(self, region, key: str) -> int | None:
        for i in region:
            line = self.lines[i]
            m = KEY_LINE.match(line)
            if m and m.group(1).strip("'\"") == key:
                return i + 1
            header = HEADER.match(line)
            if header and re.sub(r"\s+", "", header.group(2)).startswith(f"queues.{key}"):
                return i + 1
        return None


def key_named(problem: str) -> str | None:
    """The key a problem is about: `...: schema.a.enum: ...` is about schema, `missing name` about name."""
    for key in NAMED_KEYS:
        if f": {key}" in problem:
            return key
    if problem.endswith("has no queue schemas"):
        return "schema"
    if re.search(r": (missing name|name )", problem):
        return "name"
    return None
