"""Helpers for the tests of `emulator serve`: a webhook on 127.0.0.1 that counts, a database seeded directly."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from discue_cli.emulator.store import Store
from tests.conftest import Served, start_server

FAST = ("--retry-base", "0.1", "--max-attempts", "3", "--liveness-interval", "0.2", "--delivery-timeout", "2")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # the default 5 drops connections under load: they arrive a second late


class Hook:
    """A listener app: answers POSTs with the `script`ed statuses, then `status`, after `delay` seconds;
    notes when each arrived."""

    def __init__(self, delay: float = 0.0, status: int = 200, script: list[int] | None = None) -> None:
        self.delay = delay
        self.status = status
        self.script = list(script or [])
        self.posts: list[tuple[float, dict]] = []
        self.probes = 0
        self.lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                arrived = time.monotonic()
                try:
                    body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                except ValueError:  # cut short: the sender was killed mid-request
                    return
                with hook.lock:
                    hook.posts.append((arrived, body))
                    status = hook.script.pop(0) if hook.script else hook.status
                time.sleep(hook.delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):
                with hook.lock:
                    hook.probes += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self) -> int:
        with self.lock:
            return len(self.posts)

    def received(self) -> Counter:
        """How many POSTs each (message, listener) got."""
        with self.lock:
            return Counter((body["message_id"], body["listener_id"]) for _, body in self.posts)

    def arrivals_after(self, moment: float) -> list[dict]:
        with self.lock:
            return [body for arrived, body in self.posts if arrived > moment]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_until(predicate, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"{what} not met within {timeout}s")


def seed(db: Path, hooks: list[tuple[str, str, str]], messages: int) -> str:
    """A queue with one listener per (name, notify_url, liveness_url) and `messages` messages; its id."""
    store = Store(db)
    try:
        queue_id = store.create_queue("q")["id"]
        for name, notify_url, liveness_url in hooks:
            store.add_listener(queue_id, name, notify_url, liveness_url)
        for i in range(messages):
            store.add_message(queue_id, f"m{i}")
        return queue_id
    finally:
        store.close()


def rows(db: Path, sql: str, args: tuple = ()) -> list[tuple]:
    with sqlite3.connect(db, timeout=10) as connection:
        return connection.execute(sql, args).fetchall()


def acked(db: Path) -> set[tuple[str, str]]:
    return set(rows(db, "SELECT message_id, listener_id FROM deliveries WHERE state = 'acked'"))


STARTED: list[subprocess.Popen] = []


DRAINED: dict[int, tuple[threading.Thread, list[str]]] = {}


def drain_stderr(process: subprocess.Popen) -> None:
    """Read the server's console as it comes: a full pipe would block its event loop (64 KB: some 500 lines)."""
    lines: list[str] = []
    thread = threading.Thread(target=lambda: lines.extend(iter(process.stderr.readline, "")), daemon=True)
    thread.start()
    DRAINED[process.pid] = (thread, lines)


def finish(process: subprocess.Popen, within: float = 10.0) -> tuple[str, str]:
    """Wait for the process to end: its stdout and stderr."""
    if process.pid not in DRAINED:
        return process.communicate(timeout=within)
    process.wait(timeout=within)
    thread, lines = DRAINED.pop(process.pid)
    thread.join(5)
    return process.stdout.read(), "".join(lines)


def serve(db: Path, *extra: str, key: str | None = "test-key-0123456789abcdef") -> Served:
    """start_server, its console drained, remembered for reap()."""
    served = start_server(db, *extra, key=key)
    drain_stderr(served.process)
    STARTED.append(served.process)
    return served


def spawn_serve(db: Path | None, *extra: str, env: dict | None = None) -> subprocess.Popen:
    """`discue emulator serve` on a free port (db None: no --db), not waited for; remembered for reap()."""
    args = [sys.executable, "-m", "discue_cli", "emulator", "serve", "--port", "0", *extra]
    if db is not None:
        args += ["--db", str(db)]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DISCUE_") or k == "DISCUE_CONFIG"}
    environment.update(env or {})
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    drain_stderr(process)
    STARTED.append(process)
    return process


def reap() -> None:
    """Kill what a failed test left running (SIGKILL: a broken server may ignore anything else)."""
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            process.kill()
        finish(process)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, within: float = 8.0) -> tuple[int, float, str, str]:
    """Signal the process and wait at most `within` seconds: (exit code, seconds taken, stdout, stderr)."""
    started = time.monotonic()
    process.send_signal(sig)
    try:
        stdout, stderr = finish(process, within)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = finish(process)
        raise AssertionError(
            f"still running {within}s after {signal.Signals(sig).name}; stderr tail: {stderr[-2000:]}"
        ) from None
    return process.returncode, time.monotonic() - started, stdout, stderr


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def exports_of(served: Served, generation: str = "2023-04") -> str:
    endpoint, key = served.endpoint, served.key
    return f"export DISCUE_API_ENDPOINT={endpoint}\nexport DISCUE_API_KEY={key}\n# API generation: {generation}\n"


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777
