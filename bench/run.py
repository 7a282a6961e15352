"""Benchmarks for discue, each against a baseline measured in the same run. Run by hand:

    .venv/bin/python bench/run.py            (about two minutes on a 2-core machine)

Prints one table: start-up, one request, bulk sends, and the batch's memory as its input grows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.conftest import start_server  # noqa: E402  (the same start-up the tests use)

DISCUE = str(Path(sys.executable).with_name("discue"))
ROWS: list[tuple[str, str, str, str]] = []


def row(what: str, figure: str, baseline: str, verdict: str) -> None:
    ROWS.append((what, figure, baseline, verdict))
    print(f"  {what}: {figure} (baseline {baseline}) {verdict}", file=sys.stderr, flush=True)


def median_ms(command: list[str], runs: int, env: dict | None = None) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def child_max_rss_mb(command: list[str], env: dict, cwd: str) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MiB) of one child, and its exit code."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, process.returncode


async def raw_httpx_loop(endpoint: str, key: str, queue_id: str, lines: list[str], concurrency: int) -> float:
    """The client-side limit: a minimal asyncio httpx sender, no CLI around it."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=endpoint, headers={"X-API-KEY": key}, limits=limits) as client:
        feed = iter(lines)

        async def worker():
            for line in feed:
                response = await client.post(f"/queues/{queue_id}/messages", json={"data": line})
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--big-lines", type=int, default=50_000, help="lines for the memory check (1000000 takes about 16 minutes)"
    )
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="discue-bench-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCUE_")}
    env.update({"DISCUE_CONFIG": f"{work}/config.toml", "DISCUE_LOCAL_DB": f"{work}/local.sqlite3"})

    print("start-up", file=sys.stderr)
    base = median_ms([sys.executable, "-c", "pass"], args.runs)
    version = median_ms([DISCUE, "--version"], args.runs)
    row(
        "discue --version",
        f"{version:.1f} ms",
        f"python -c pass {base:.1f} ms",
        f"{version / base:.1f}x (target <= 6x)",
    )
    helped = median_ms([DISCUE, "queues", "--help"], args.runs)
    row("discue queues --help", f"{helped:.1f} ms", f"python -c pass {base:.1f} ms", f"{helped / base:.1f}x")
    subprocess.run([DISCUE, "--local", "queues", "create", "bench.q"], env=env, capture_output=True)
    local = median_ms([DISCUE, "--local", "queues", "list"], args.runs, env=env)
    row("discue --local queues list", f"{local:.1f} ms", f"python -c pass {base:.1f} ms", f"{local / base:.1f}x")

    server = start_server(Path(work) / "served.sqlite3", "--no-deliver")
    try:
        remote_env = {**env, "DISCUE_API_ENDPOINT": server.endpoint, "DISCUE_API_KEY": server.key}
        headers = {"X-API-KEY": server.key}
        queue_id = httpx.post(server.endpoint + "/queues", json={"name": "bench"}, headers=headers).json()["queue"][
            "id"
        ]

        print("one request", file=sys.stderr)
        listed = median_ms([DISCUE, "queues", "list"], args.runs, env=remote_env)
        if shutil.which("curl"):
            curl = median_ms(["curl", "-sf", "-H", f"X-API-KEY: {server.key}", server.endpoint + "/queues"], args.runs)
            row("discue queues list (served)", f"{listed:.1f} ms", f"curl {curl:.1f} ms", f"{listed / curl:.1f}x")
        else:
            row("discue queues list (served)", f"{listed:.1f} ms", "curl not installed", "-")

        print("bulk", file=sys.stderr)
        lines = [f'{{"order": {i}, "note": "bench"}}' for i in range(args.messages)]
        path = Path(work) / "batch.txt"
        path.write_text("\n".join(lines) + "\n")
        raw_seconds = asyncio.run(raw_httpx_loop(server.endpoint, server.key, queue_id, lines, args.concurrency))
        raw_rate = args.messages / raw_seconds
        seconds, rss, code = child_max_rss_mb(
            [DISCUE, "messages", "add", "bench", "--batch", str(path), "--concurrency", str(args.concurrency), "-q"],
            remote_env,
            work,
        )
        assert code == 0, "batch failed"
        rate = args.messages / seconds
        row(
            f"--batch {args.messages:,} messages",
            f"{rate:,.0f} msg/s ({seconds:.1f}s, whole process)",
            f"raw httpx loop {raw_rate:,.0f} msg/s",
            f"{rate / raw_rate:.2f}x (target >= 0.8x and >= 1,000/s)",
        )
        shell_count = 100
        started = time.perf_counter()
        for i in range(shell_count):
            subprocess.run(
                [DISCUE, "messages", "add", "bench", f"shell {i}", "-q"],
                env=remote_env,
                stdout=subprocess.DEVNULL,
                check=True,
            )
        per_shell = (time.perf_counter() - started) / shell_count * 1000
        row(
            "shell loop of `discue messages add`",
            f"{per_shell:.1f} ms/message",
            f"--batch {1000 / rate:.2f} ms/message",
            f"--batch is {per_shell * rate / 1000:.0f}x faster",
        )

        print("memory", file=sys.stderr)
        big = Path(work) / "big.txt"
        small_rss = rss
        with big.open("w") as fh:
            for i in range(args.big_lines):
                fh.write(f'{{"order": {i}, "note": "bench"}}\n')
        seconds, big_rss, code = child_max_rss_mb(
            [DISCUE, "messages", "add", "bench", "--batch", str(big), "--concurrency", str(args.concurrency), "-q"],
            remote_env,
            work,
        )
        assert code == 0, "big batch failed"
        row(
            f"--batch peak RSS, {args.big_lines:,} lines",
            f"{big_rss:.0f} MiB",
            f"{args.messages:,} lines {small_rss:.0f} MiB",
            f"{big_rss / small_rss:.2f}x for {args.big_lines / args.messages:g}x the input",
        )
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    width = [max(len(r[i]) for r in ROWS + [("what", "figure", "baseline (same run)", "ratio")]) for i in range(4)]
    header = ("what", "figure", "baseline (same run)", "ratio")
    for r in (header, tuple("-" * w for w in width), *ROWS):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, width, strict=True)) + " |")
    print(
        f"\nmachine: {os.cpu_count()} cores, python {sys.version.split()[0]}, "
        f"self peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
