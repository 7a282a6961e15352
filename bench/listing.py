"""Long listings: `messages list`, `messages count` and `messages watch` on a queue of many messages of the
local discue, memory (peak RSS) and time. Run by hand:

    .venv/bin/python bench/listing.py               (100,000 messages; filling the queue takes a while)
    .venv/bin/python bench/listing.py --messages 20000

The aim: 100,000 messages listed under 120 MiB and 10 s, piped and on a terminal.

Measured 2026-12-07 on a 2-core machine shared with a dozen busy processes (load average ~15; the
clock there mostly measures the server), 100,000 messages of ~420 bytes, 2023-04 (66.5 MB listing):

    what                                    seconds  CPU s  peak MiB
    baseline: bare httpx reads the listing     26.5
    messages list QUEUE | (piped)              38.4    1.9        33   (before: 280 MiB)
    messages list QUEUE (terminal)             29.7    1.5        35   (before: 499 MiB / 46 s)
    messages count QUEUE                       23.2    1.4        34
    messages list QUEUE --json (whole)         18.3    1.6       384   (the body as sent: read whole)
    messages watch QUEUE, 15 s of polls        15.5    1.4        45
"""

from __future__ import annotations

import argparse
import os
import pty
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.conftest import clean_env, start_server  # noqa: E402  (the same start-up the tests use)

DISCUE = str(Path(sys.executable).with_name("discue"))
# Runs a command (its stdout as given), then prints its peak resident memory in KiB on stderr's last line.
MEASURED = """
import resource, signal, subprocess, sys
stop = float(sys.argv[1])
process = subprocess.Popen(sys.argv[2:])
try:
    process.wait(timeout=stop if stop > 0 else None)
except subprocess.TimeoutExpired:
    process.send_signal(signal.SIGINT)
    process.wait()
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(used.ru_maxrss, used.ru_utime + used.ru_stime, file=sys.stderr)
"""


def measure(args: list[str], env: dict, terminal: bool = False, stop_after: float = 0) -> tuple[float, float, float]:
    """Seconds, CPU seconds and peak MiB of `discue ARGS`, stdout to /dev/null or to a pseudo-terminal
    that is read."""
    controller = None
    if terminal:
        controller, stdout = pty.openpty()
    else:
        stdout = os.open(os.devnull, os.O_WRONLY)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-c", MEASURED, str(stop_after), DISCUE, *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(stdout)
    if controller is not None:
        while True:
            try:
                if not os.read(controller, 65536):
                    break
            except OSError:
                break
        os.close(controller)
    _, err = process.communicate()
    seconds = time.monotonic() - started
    peak, cpu = err.decode().splitlines()[-1].split()
    return seconds, float(cpu), int(peak) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--generation", default="2023-04")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(Path(folder) / "bench.sqlite3", "--no-deliver", "--api-version", options.generation)
        try:
            run(server, options, Path(folder))
        finally:
            server.stop()


def run(server, options, folder: Path) -> None:
    env = clean_env(DISCUE_API_ENDPOINT=server.endpoint, DISCUE_API_KEY=server.key)
    api = httpx.Client(base_url=server.endpoint, headers={"X-API-KEY": server.key}, timeout=120)
    key = "alias" if options.generation == "2024-08" else "name"
    queue_id = api.post("/queues", json={key: "bench"}).json()["queue"]["id"]
    lines = folder / "lines.txt"
    lines.write_text("".join(f'{{"n": {n}, "pad": "{"x" * 400}"}}\n' for n in range(options.messages)))
    started = time.monotonic()
    subprocess.run(
        [DISCUE, "messages", "add", queue_id, "--batch", str(lines), "-q"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"filled {options.messages} messages in {time.monotonic() - started:.0f} s", file=sys.stderr)
    # The baseline: the same listing read by bare httpx and thrown away (the server's share of the time).
    started, size = time.monotonic(), 0
    with api.stream("GET", f"/queues/{queue_id}/messages") as response:
        for chunk in response.iter_raw():
            size += len(chunk)
    print(f"one plain listing ({options.generation}): {size / 1e6:.1f} MB", file=sys.stderr)
    print(f"{'what':38} {'seconds':>8} {'CPU s':>6} {'peak MiB':>9}")
    print(f"{'baseline: bare httpx reads the listing':38} {time.monotonic() - started:8.1f} {'':>6} {'':>9}")
    for what, args, terminal, stop in [
        ("messages list QUEUE | (piped)", ["messages", "list", queue_id], False, 0),
        ("messages list QUEUE (terminal)", ["messages", "list", queue_id], True, 0),
        ("messages count QUEUE", ["messages", "count", queue_id], False, 0),
        ("messages list QUEUE --json (whole)", ["messages", "list", queue_id, "--json"], False, 0),
        ("messages watch QUEUE, 15 s of polls", ["messages", "watch", queue_id, "--interval", "1"], False, 15),
    ]:
        seconds, cpu, peak = measure(args, env, terminal, stop)
        print(f"{what:38} {seconds:8.1f} {cpu:6.1f} {peak:9.0f}", flush=True)
    signal.signal(signal.SIGINT, signal.default_int_handler)


if __name__ == "__main__":
    main()
