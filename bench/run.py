"""Benchmarks for discue, each against a baseline measured in the same run. Run by hand:

    .venv/bin/python bench/run.py            (about two minutes on a 2-core machine)
    .venv/bin/python bench/run.py --only server --only listing   (the local discue's figures alone)

Prints one table: start-up, one request, bulk sends and how they scale with concurrency, the local
discue against a bare Starlette+uvicorn peer (bench/peer.py), and memory. `gh --version` is the
peer for start-up when gh is installed (`apt-get install gh`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
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


async def load(
    base: str, key: str, method: str, path: str, requests: int, concurrency: int
) -> tuple[float, list[float]]:
    """Requests per second and each request's latency (ms) from a fixed-concurrency asyncio client."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base, headers={"X-API-KEY": key}, limits=limits) as client:
        counter = iter(range(requests))

        async def worker():
            for i in counter:
                started = time.perf_counter()
                if method == "POST":
                    response = await client.post(path, json={"data": f"load {i}"})
                else:
                    response = await client.get(path)
                response.raise_for_status()
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return requests / (time.perf_counter() - started), latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def start_peer(http: str = "auto") -> tuple[subprocess.Popen, str]:
    """bench/peer.py under uvicorn (parser `http`) on a free port; its base URL once it answers."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, str(HERE / "peer.py"), str(port), http], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/queues", timeout=1)
            return process, base
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the peer did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_child(command: list[str], env: dict, cwd: str) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds (user + system), peak RSS (MiB) of one child, and its exit code."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    _, status, usage = os.wait4(process.pid, 0)
    return (
        time.perf_counter() - started,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        os.waitstatus_to_exitcode(status),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--load-requests", type=int, default=3_000)
    parser.add_argument("--wrk-seconds", type=int, default=3, help="seconds of each capacity run (wrk)")
    parser.add_argument("--list-messages", type=int, default=100_000, help="messages listed in the memory check")
    parser.add_argument(
        "--big-lines", type=int, default=50_000, help="lines for the memory check (1000000 takes about 16 minutes)"
    )
    parser.add_argument(
        "--only", choices=("client", "server", "listing"), action="append", help="run only these sections (repeatable)"
    )
    args = parser.parse_args()
    sections = args.only or ["client", "server", "listing"]
    work = tempfile.mkdtemp(prefix="discue-bench-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCUE_")}
    env.update({"DISCUE_CONFIG": f"{work}/config.toml", "DISCUE_LOCAL_DB": f"{work}/local.sqlite3"})
    # As installed: pip compiles the package's bytecode, an editable checkout under
    # PYTHONDONTWRITEBYTECODE=1 never does (~30 ms of compiling in every run otherwise).
    import compileall

    compileall.compile_dir(str(HERE.parent / "discue_cli"), quiet=1)
    try:
        if "client" in sections:
            client_figures(args, work, env)
        if "server" in sections:
            server_figures(args, work)
        if "listing" in sections:
            listing_figures(args, work, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table()


def user_install(work: str) -> tuple[str, str]:
    """discue as a user's `pip install -c constraints.txt .` puts it in a fresh venv: (its python, its discue).

    Start-up is timed there, not in the checkout's venv: setuptools' editable finder (a .pth file) imports
    pathlib, re, enum, fnmatch and urllib.parse at every interpreter start, which makes `python -c pass` (the
    baseline) 2.3x the work of a plain venv's while discue, which loads those anyway, costs the same: the
    ratio came out at about half of what a user's install shows."""
    venv = Path(work) / "user-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-c", str(HERE.parent / "constraints.txt")]
    subprocess.run([*pip, str(HERE.parent)], check=True, stdout=subprocess.DEVNULL)
    return str(venv / "bin" / "python"), str(venv / "bin" / "discue")


def client_figures(args: argparse.Namespace, work: str, env: dict[str, str]) -> None:
    """Start-up, one request and bulk sends of the CLI."""
    gh = shutil.which("gh")
    print("start-up (installing as a user does)", file=sys.stderr)
    python, discue = user_install(work)
    base = median_ms([python, "-c", "pass"], args.runs)
    gh_ms = median_ms([gh, "--version"], args.runs) if gh else None
    version = median_ms([discue, "--version"], args.runs)
    row(
        "discue --version",
        f"{version:.1f} ms",
        f"python -c pass {base:.1f} ms",
        f"{version / base:.1f}x (target <= 2x)",
    )
    helped = median_ms([discue, "--help"], args.runs)
    row("discue --help", f"{helped:.1f} ms", f"python -c pass {base:.1f} ms", f"{helped / base:.1f}x (target <= 8x)")
    noun_help = median_ms([discue, "queues", "--help"], args.runs)
    row("discue queues --help", f"{noun_help:.1f} ms", f"python -c pass {base:.1f} ms", f"{noun_help / base:.1f}x")
    # The cost of the public way: httpx's __init__ imports its own command line (click, rich, pygments)
    # whenever click is installed; an earlier version hid it behind a stand-in httpx._main module (a private module:
    # dropped). Measured here, the stand-in in the baseline only.
    with_cli = median_ms([sys.executable, "-c", "import httpx"], args.runs)
    hidden = "import sys; sys.modules['httpx._main'] = None; import httpx"
    without_cli = median_ms([sys.executable, "-c", hidden], args.runs)
    row(
        "import httpx (as every HTTP command does)",
        f"{with_cli:.1f} ms",
        f"with httpx's CLI hidden {without_cli:.1f} ms",
        f"+{with_cli - without_cli:.1f} ms",
    )
    subprocess.run([discue, "--local", "queues", "create", "bench.q"], env=env, capture_output=True)
    local = median_ms([discue, "--local", "queues", "list"], args.runs, env=env)
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
        if gh_ms:
            row(
                "discue queues list (served, piped)",
                f"{listed:.1f} ms",
                f"gh --version {gh_ms:.1f} ms",
                f"{listed / gh_ms:.1f}x (target <= 3x)",
            )
        else:
            row("discue queues list (served, piped)", f"{listed:.1f} ms", "gh not installed", "-")
        if shutil.which("curl"):
            curl = median_ms(["curl", "-sf", "-H", f"X-API-KEY: {server.key}", server.endpoint + "/queues"], args.runs)
            row(
                "discue queues list (served, piped)", f"{listed:.1f} ms", f"curl {curl:.1f} ms", f"{listed / curl:.1f}x"
            )

        print("bulk", file=sys.stderr)
        lines = [f'{{"order": {i}, "note": "bench"}}' for i in range(args.messages)]
        path = Path(work) / "batch.txt"
        path.write_text("\n".join(lines) + "\n")
        before = resource.getrusage(resource.RUSAGE_SELF)
        raw_seconds = asyncio.run(raw_httpx_loop(server.endpoint, server.key, queue_id, lines, 8))
        after = resource.getrusage(resource.RUSAGE_SELF)
        raw_cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / args.messages * 1000
        raw_rate = args.messages / raw_seconds
        rates: dict[int, float] = {}
        cpu_per_message: dict[int, float] = {}
        rss = 0.0
        for concurrency in (8, 32, 64):
            seconds, cpu, rss_c, code = run_child(
                [DISCUE, "messages", "add", "bench", "--batch", str(path), "--concurrency", str(concurrency), "-q"],
                remote_env,
                work,
            )
            assert code == 0, "batch failed"
            rates[concurrency] = args.messages / seconds
            cpu_per_message[concurrency] = cpu / args.messages * 1000
            rss = rss if rss else rss_c
        row(
            f"--batch {args.messages:,} messages, concurrency 8",
            f"{rates[8]:,.0f} msg/s",
            f"raw asyncio httpx loop at 8: {raw_rate:,.0f} msg/s, {raw_cpu:.2f} ms CPU/msg",
            f"{rates[8] / raw_rate:.2f}x (target >= 1.5x)",
        )
        for concurrency in (32, 64):
            row(
                f"--batch concurrency {concurrency}",
                f"{rates[concurrency]:,.0f} msg/s",
                f"concurrency 8: {rates[8]:,.0f} msg/s",
                f"{rates[concurrency] / rates[8]:.2f}x (target >= 0.9x)",
            )
        row(
            "--batch client CPU per message, 8 / 32 / 64 in flight",
            " / ".join(f"{cpu_per_message[c]:.2f} ms" for c in (8, 32, 64)),
            "flat is the target",
            f"{cpu_per_message[64] / cpu_per_message[8]:.2f}x at 64 vs 8",
        )
        shell_count = 50
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
            f"--batch {1000 / rates[8]:.2f} ms/message",
            f"--batch is {per_shell * rates[8] / 1000:.0f}x faster",
        )

        print("memory", file=sys.stderr)
        big = Path(work) / "big.txt"
        with big.open("w") as fh:
            for i in range(args.big_lines):
                fh.write(f'{{"order": {i}, "note": "bench"}}\n')
        _, _, big_rss, code = run_child(
            [DISCUE, "messages", "add", "bench", "--batch", str(big), "--concurrency", "8", "-q"], remote_env, work
        )
        assert code == 0, "big batch failed"
        row(
            f"--batch peak RSS, {args.big_lines:,} lines",
            f"{big_rss:.0f} MiB",
            f"{args.messages:,} lines {rss:.0f} MiB",
            f"{big_rss / rss:.2f}x for {args.big_lines / args.messages:g}x the input",
        )
    finally:
        server.stop()


# A Lua long string ([[...]]) holds the body as it is: the same message as the Python client's
WRK_POST = (
    'wrk.method = "POST"\n'
    f"wrk.body = [[{json.dumps({'data': json.dumps({'order': 1, 'note': 'bench'})})}]]\n"
    'wrk.headers["Content-Type"] = "application/json"\n'
)


def wrk(url: str, key: str, script: Path | None, seconds: int, connections: int = 16) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 latency (ms) of `wrk` (one thread, `connections` connections)
    against `url`; every reply must be a 2xx, else a server failing fast would look fast."""
    import re

    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if key:
        command[1:1] = ["-H", f"X-API-KEY: {key}"]
    if script:
        command[1:1] = ["-s", str(script)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert "Non-2xx" not in out and "Socket errors" not in out, (command, out)

    def ms(value: str, unit: str) -> float:
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    p50, p99 = (ms(*re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)$", out, re.M).groups()) for p in ("50", "99"))
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), p50, p99


# `emulator serve` with uvicorn's httptools parser instead of h11: what the head cap costs (httptools has
# none; h11's h11_max_incomplete_event_size is the one public door). For this measurement only.
ON_HTTPTOOLS = """
import functools, sys
from discue_cli.emulator import server
server.uvicorn_config = functools.partial(server.uvicorn_config, http="httptools")
sys.argv[0] = "discue"
from discue_cli.entry import main
main()
"""


def start_on_httptools(db: Path) -> tuple[subprocess.Popen, str, str]:
    """`emulator serve` on httptools (see ON_HTTPTOOLS): its process, endpoint and key once it has started."""
    key = "bench-key-0123456789abcdef"
    args = [sys.executable, "-c", ON_HTTPTOOLS, "emulator", "serve", "--port", "0", "--db", str(db)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCUE_")}
    process = subprocess.Popen(
        [*args, "--no-deliver", "--api-key", key], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    exports = dict(process.stdout.readline().strip().removeprefix("export ").split("=", 1) for _ in range(2))
    return process, exports["DISCUE_API_ENDPOINT"], key


def server_figures(args: argparse.Namespace, work: str) -> None:
    """The local discue (`emulator serve`, as users run it: uvicorn's h11 parser, heads capped) against
    bench/peer.py on uvicorn with httptools (what the targets are read on) and with h11 (a bare `pip
    install starlette uvicorn`, and the same parser as ours), and against itself on httptools (what the
    head cap costs); interleaved round by round so that load from other processes hits all alike; each
    figure is the median of the rounds.

    Capacity: `wrk` (apt-get install wrk) holds 16 connections busy, so each server runs flat out
    and serves as many requests a second as it can; that is the figure the targets are read on. One
    Python client cannot load a server that far (it is the slower side), so the server's CPU per
    request under it is shown too: there the server is mostly idle and each message comes alone."""
    server = start_server(Path(work) / "capacity.sqlite3", "--no-deliver")
    uncapped = start_on_httptools(Path(work) / "uncapped.sqlite3")
    peers = {"httptools": start_peer("httptools"), "h11": start_peer("h11")}
    post_script = Path(work) / "post.lua"
    post_script.write_text(WRK_POST)
    use_wrk = shutil.which("wrk") is not None
    try:
        targets = {"ours": (server.process.pid, server.endpoint, server.key)}
        targets["ours on httptools"] = (uncapped[0].pid, uncapped[1], uncapped[2])
        targets.update({name: (process.pid, base, "") for name, (process, base) in peers.items()})
        queues = {}
        for name, (_, base, key) in targets.items():
            created = httpx.post(base + "/queues", json={"name": "bench"}, headers={"X-API-KEY": key})
            queues[name] = created.json()["queue"]["id"]
        cpu: dict[tuple[str, str], list[float]] = {}
        rate: dict[tuple[str, str], list[float]] = {}
        tails: dict[str, list[float]] = {}
        for round_ in range(max(3, args.runs // 3) + 1):  # round 0 warms up and is not counted
            print(f"server round {round_}", file=sys.stderr)
            for method in ("GET", "POST"):
                for name, (pid, base, key) in targets.items():
                    path = "/queues" if method == "GET" else f"/queues/{queues[name]}/messages"
                    before = cpu_seconds(pid)
                    asyncio.run(load(base, key, method, path, args.load_requests, 16))
                    used = (cpu_seconds(pid) - before) / args.load_requests * 1000
                    if use_wrk:
                        script = post_script if method == "POST" else None
                        served, p50, p99 = wrk(base + path, key, script, args.wrk_seconds)
                    if round_:
                        cpu.setdefault((method, name), []).append(used)
                        if use_wrk:
                            rate.setdefault((method, name), []).append(served)
                            if method == "POST":
                                tails.setdefault(name, []).append(p99 / p50)
        baselines = {
            "httptools": "bare Starlette+uvicorn (httptools)",
            "h11": "bare Starlette+uvicorn (h11, our parser)",
            "ours on httptools": "the local discue on httptools (no head cap)",
        }
        for method, label in (("GET", "GET /queues"), ("POST", "POST messages")):
            for peer, baseline in baselines.items() if use_wrk else ():
                ours, theirs = statistics.median(rate[(method, "ours")]), statistics.median(rate[(method, peer)])
                row(
                    f"local discue {label}: capacity (wrk, 16 connections)",
                    f"{ours:,.0f} req/s",
                    f"{baseline} {theirs:,.0f} req/s",
                    f"{ours / theirs:.2f}x" + (" (target >= 0.7x)" if peer == "httptools" else ""),
                )
            for peer in ("httptools", "ours on httptools"):
                ours, theirs = statistics.median(cpu[(method, "ours")]), statistics.median(cpu[(method, peer)])
                row(
                    f"local discue {label}: server CPU per request, one Python client, 16 in flight",
                    f"{ours:.3f} ms",
                    f"{baselines[peer]} {theirs:.3f} ms",
                    f"{theirs / ours:.2f}x",
                )
        if use_wrk:
            row(
                "local discue POST p99 / p50 at capacity",
                f"{statistics.median(tails['ours']):.1f}x",
                f"the peer (httptools, no disk) {statistics.median(tails['httptools']):.1f}x",
                "target <= 3x",
            )
        else:
            row("local discue capacity", "-", "wrk not installed (apt-get install wrk)", "-")
    finally:
        server.stop()
        uncapped[0].terminate()
        uncapped[0].wait()
        for process, _ in peers.values():
            process.kill()
            process.wait()


def listing_figures(args: argparse.Namespace, work: str, env: dict[str, str]) -> None:
    """Listing many messages: a fresh server on a database that holds them, so its peak is the listing's."""
    listing_db = Path(work) / "listing.sqlite3"
    # Filled through the store's own write path, without HTTP: 100,000 requests would take minutes.
    from discue_cli.emulator.store import Store

    store = Store(listing_db)
    queue_id = store.create_queue("listing")["id"]
    for i in range(args.list_messages):
        store.add_message(queue_id, f"m{i}")
    store.close()
    server = start_server(listing_db, "--no-deliver")
    try:
        remote_env = {**env, "DISCUE_API_ENDPOINT": server.endpoint, "DISCUE_API_KEY": server.key}
        before = peak_rss_mb(server.process.pid)
        received = 0
        url = f"{server.endpoint}/queues/{queue_id}/messages"
        with httpx.stream("GET", url, headers={"X-API-KEY": server.key}, timeout=600) as response:
            for chunk in response.iter_bytes():
                received += len(chunk)
        after = peak_rss_mb(server.process.pid)
        row(
            f"GET {args.list_messages:,} messages ({received / 2**20:.0f} MiB), server peak RSS",
            f"{after:.0f} MiB",
            f"idle {before:.0f} MiB",
            f"+{after - before:.0f} MiB",
        )
        _, _, cli_rss, code = run_child([DISCUE, "messages", "list", "listing"], remote_env, work)
        assert code == 0, "listing failed"
        row(f"list {args.list_messages:,} messages, CLI peak RSS (piped)", f"{cli_rss:.0f} MiB", "-", "-")
    finally:
        server.stop()


def table() -> None:
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
