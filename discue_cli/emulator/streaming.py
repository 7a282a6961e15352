"""Replies too long to build in memory (100,000 messages): JSON written piece by piece, byte for byte
what web.reply's json.dumps makes of the whole, from rows read in batches when the piece is due."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

CHUNK = 64 * 1024  # characters handed to the server at a time
_END = object()


class Lazy:
    """A list whose items `make()` yields when the reply gets to it, or with `pairs` an object of the
    (key, value) pairs it yields. `make` is called once per reply."""

    def __init__(self, make: Callable[[], Iterable[Any]], pairs: bool = False):
        self.make = make
        self.pairs = pairs


def _has_lazy(value: Any) -> bool:
    return isinstance(value, Lazy) or (isinstance(value, dict) and any(_has_lazy(v) for v in value.values()))


def encode(value: Any, pretty: bool, depth: int = 0) -> Iterator[str]:
    """The JSON text of `value` (which may hold Lazy members) in pieces: compact, or indented by two."""
    if not _has_lazy(value):
        yield _dumps(value, pretty, depth)
        return
    if isinstance(value, Lazy):
        members = iter(value.make())
        if value.pairs:
            members = ((key, member) for key, member in members)
    else:
        members = iter(value.items())
    pairs = not isinstance(value, Lazy) or value.pairs
    opener, closer = "{}" if pairs else "[]"
    first = next(members, _END)
    if first is _END:
        yield opener + closer
        return
    inner = "\n" + "  " * (depth + 1) if pretty else ""
    separator = "," + inner
    yield opener + inner
    member = first
    while True:
        if pairs:
            key, item = member
            yield json.dumps(key, ensure_ascii=False) + (": " if pretty else ":")
            yield from encode(item, pretty, depth + 1)
        else:
            yield from encode(member, pretty, depth + 1)
        member = next(members, _END)
        if member is _END:
            break
        yield separator
    yield ("\n" + "  " * depth if pretty else "") + closer


def _dumps(value: Any, pretty: bool, depth: int) -> str:
    if not pretty:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = json.dumps(value, ensure_ascii=False, indent=2)
    # json.dumps puts no raw newline inside a string, so each one starts a line to indent.
    return text.replace("\n", "\n" + "  " * depth) if depth else text


def chunks(pieces: Iterable[str], size: int = CHUNK) -> Iterator[bytes]:
    """The pieces joined into chunks of about `size` characters, UTF-8 encoded."""
    buffered: list[str] = []
    length = 0
    for piece in pieces:
        buffered.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffered).encode("utf-8")
            buffered, length = [], 0
    if buffered:
        yield "".join(buffered).encode("utf-8")
