"""A long listing served as it is generated, and a run of discue measured: peak memory and CPU seconds."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.conftest import clean_env
from tests.emulator.test_delivery import DISCUE

QUEUE_ID = "GHV7Wh5b8kUfRkqwX7TQd"  # a 2023-04 id: used as is, no lookup


MiB = 1024 * 1024


def message(n: int) -> dict:
    return {"id": f"m{n:020d}", "name": None, "queue_id": QUEUE_ID, "data": f"payload {n} " + "x" * 400}


@functools.cache
def rendered(count: int) -> bytes:
    """The listing's body, made once a session (writing it is then no work for the test's server)."""
    items = b",".join(json.dumps(message(n)).encode() for n in range(count))
    return b'{"messages":[' + items + b'],"_links":{"self":{"href":"/queues/q/messages"}}}'


class Listing:
    """An API that lists `count` whole messages (2023-04 shape, ~480 bytes each), written as generated;
    `cut` ends the body early. It records each request's path and query."""

    def __init__(self, count: int, cut: bool = False) -> None:
        self.count, self.cut = count, cut
        self.requests: list[str] = []
        listing = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                listing.requests.append(self.path)
                if urlsplit(self.path).path != f"/v1/queues/{QUEUE_ID}/messages":
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()  # no length: the body ends when the connection closes
                body = rendered(listing.count)
                if listing.cut:
                    body = body[: len(body) // 2]
                for start in range(0, len(body), 256 * 1024):
                    self.wfile.write(body[start : start + 256 * 1024])

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.env = clean_env(
            DISCUE_API_ENDPOINT=f"http://127.0.0.1:{self.server.server_port}/v1",
            DISCUE_API_KEY="k" * 20,
            DISCUE_API_VERSION="2023-04",
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# Runs a command, then prints its peak resident memory (KiB on Linux) and the CPU seconds it used on
# stderr's last line. CPU time, not the clock, is held to the 10 s aim: on a machine shared by many
# processes the clock says more about the others (the listing's server included) than about discue.
MEASURED = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdout=sys.stdout, stderr=sys.stderr).returncode
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(used.ru_maxrss, used.ru_utime + used.ru_stime, file=sys.stderr)
sys.exit(code)
"""


WALL_CEILING = 60  # seconds: only a hang fails it


def measured(args: list[str], env: dict, stdout) -> tuple[int, float, float, str]:
    """Exit code, CPU seconds, peak MiB and stderr (without the figures) of `discue ARGS`."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, str(DISCUE), *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=env,
        timeout=WALL_CEILING,
    )
    *said, figures = done.stderr.decode().splitlines()
    peak, cpu = figures.split()
    return done.returncode, float(cpu), int(peak) / 1024, "".join(f"{line}\n" for line in said)
