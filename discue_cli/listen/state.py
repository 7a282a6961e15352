"""The listeners this machine's `discue listen` runs have added and not yet removed.

A run records its listener (endpoint, queue, id, pid) once the server confirmed it and drops the record
when it removed it. A run killed outright (kill -9, a crash, a lost terminal) leaves its record behind:
the next `listen` on that queue finds records whose process is gone and removes those listeners.

The file is `listeners.json` in the user's data dir (0600 in a 0700 folder; $XDG_DATA_HOME on Linux),
rewritten whole under an exclusive lock and replaced atomically. Anything unreadable in it is ignored:
at worst a left-over listener is not found, as before this file existed.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MAX_RECORDS = 1000  # a file that grew past this is from something else: start afresh


def state_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("discue")) / "listeners.json"


def endpoint_key(base_url: str) -> str:
    """The endpoint a listener lives on: scheme, host, port and path (never credentials nor query)."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}"


def alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (one of another user counts as running)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on a file beside `path`, where the platform has one (POSIX)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: the atomic replace alone
        yield
        return
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def read(path: Path) -> list[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as file:
            data = json.loads(file.read(4 * 1024 * 1024))
    except (OSError, ValueError, RecursionError):
        return []
    if not isinstance(data, list) or len(data) > MAX_RECORDS:
        return []
    keys = ("endpoint", "queue_id", "listener_id", "name")
    return [
        r
        for r in data
        if isinstance(r, dict) and all(isinstance(r.get(k), str) for k in keys) and type(r.get("pid")) is int
    ]


def write(path: Path, records: list[dict[str, Any]]) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        json.dump(records, file)
    os.replace(tmp, path)


class Records:
    """The record file, each change a locked read-modify-write; failures to keep it are not fatal."""

    def __init__(self, endpoint: str, path: Path | None = None):
        self.endpoint = endpoint_key(endpoint)
        self.path = path or state_path()

    def _change(self, change: Any) -> Any:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with locked(self.path):
                records = read(self.path)
                result, records = change(records)
                write(self.path, records)
                return result
        except OSError:
            return None

    def add(self, queue_id: str, listener_id: str, name: str) -> None:
        record = {"endpoint": self.endpoint, "queue_id": queue_id, "listener_id": listener_id, "name": name}
        record["pid"] = os.getpid()
        self._change(lambda records: (None, [*records, record]))

    def drop(self, listener_id: str) -> None:
        def change(records):
            kept = [r for r in records if not (r["endpoint"] == self.endpoint and r["listener_id"] == listener_id)]
            return None, kept

        self._change(change)

    def left_behind(self, queue_id: str) -> list[dict[str, Any]]:
        """The records of this queue whose `listen` process is gone."""
        records = read(self.path)
        return [
            r for r in records if r["endpoint"] == self.endpoint and r["queue_id"] == queue_id and not alive(r["pid"])
        ]
