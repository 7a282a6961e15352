"""Bulk sends at a distance: `messages add --batch` against a server that adds latency (and, optionally,
a rate limit), beside a minimal asyncio httpx loop, in one run. Run by hand:

    .venv/bin/python bench/distant.py                 (5,000 lines, 50 ms; about two minutes)
    .venv/bin/python bench/distant.py --lines 2000 --latency 0.02

Prints msg/s of the default (adaptive) batch, of `--concurrency 8/64/256`, of the httpx loop at 64, and
against a limit of 300 requests/s (with RateLimit-* headers, and with bare 429s): the rate, the share of
429s, and whether every line was stored exactly once.

The server (`distant.py serve`) is Starlette on uvicorn: POST /v1/queues/{id}/messages answers 201 after
`--latency` seconds; with `--limit N` it allows N requests a second (fixed one-second windows) and answers
429 past that; `--headers` adds RateLimit-Limit/-Remaining/-Reset to every reply and Retry-After to 429s.
GET /stats returns what was stored, how often each line was, and how many 429s were answered.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DISCUE = str(Path(sys.executable).with_name("discue"))
QUEUE = "3fa85f64-5717-4562-b3fc-2c963f66afa6"  # id-shaped: the batch resolves no name


def serve(args: argparse.Namespace) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    stored: Counter[str] = Counter()
    state = {"window": 0, "used": 0, "throttled": 0, "requests": 0}

    def limit_headers(now: float, remaining: int) -> dict[str, str]:
        if not args.headers:
            return {}
        return {
            "RateLimit-Limit": str(args.limit),
            "RateLimit-Remaining": str(max(0, remaining)),
            "RateLimit-Reset": f"{math.floor(now) + 1 - now:.3f}",
        }

    async def add(request: Request) -> JSONResponse:
        now = time.time()
        state["requests"] += 1
        headers: dict[str, str] = {}
        if args.limit:
            window = math.floor(now)
            if window != state["window"]:
                state["window"], state["used"] = window, 0
            state["used"] += 1
            headers = limit_headers(now, args.limit - state["used"])
            if state["used"] > args.limit:
                state["throttled"] += 1
                await asyncio.sleep(args.latency)
                if args.headers:
                    headers["Retry-After"] = "1"
                return JSONResponse({"title": "Too Many Requests", "status": 429}, 429, headers=headers)
        body = await request.json()
        await asyncio.sleep(args.latency)
        stored[body["data"]] += 1
        number = sum(stored.values())
        return JSONResponse({"message": {"id": f"m{number:09d}", "data": body["data"]}}, 201, headers=headers)

    async def stats(_request: Request) -> JSONResponse:
        doubled = sum(1 for count in stored.values() if count > 1)
        return JSONResponse({"stored": len(stored), "doubled": doubled, **state})

    async def reset(_request: Request) -> JSONResponse:
        stored.clear()
        state.update(window=0, used=0, throttled=0, requests=0)
        return JSONResponse({})

    app = Starlette(
        routes=[
            Route("/v1/queues/{queue_id}/messages", add, methods=["POST"]),
            Route("/stats", stats),
            Route("/reset", reset, methods=["POST"]),
        ]
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", backlog=2048)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, latency: float, limit: int = 0, headers: bool = False):
        self.port = free_port()
        command = [sys.executable, __file__, "serve", "--port", str(self.port), "--latency", str(latency)]
        if limit:
            command += ["--limit", str(limit)] + (["--headers"] if headers else [])
        self.process = subprocess.Popen(command)
        self.base = f"http://127.0.0.1:{self.port}"
        import httpx

        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{self.base}/stats", timeout=1)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise SystemExit("the distant server did not start") from None
                time.sleep(0.05)

    def stats(self) -> dict:
        import httpx

        return httpx.get(f"{self.base}/stats").json()

    def reset(self) -> None:
        import httpx

        httpx.post(f"{self.base}/reset")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


def batch(server: Server, path: str, *flags: str) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCUE_")}
    env.update({"DISCUE_CONFIG": str(Path(path).with_name("config.toml")), "NO_COLOR": "1"})
    command = [DISCUE, "-v", "--api-endpoint", f"{server.base}/v1", "--api-key", "bench", "--api-version", "2022-05"]
    command += ["messages", "add", QUEUE, "--batch", path, "-q", *flags]
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
    return elapsed, done.stderr


async def httpx_loop(server: Server, lines: list[str], concurrency: int) -> float:
    """A user's own script: a minimal asyncio httpx sender, no CLI around it."""
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=f"{server.base}/v1", limits=limits) as client:
        feed = iter(lines)

        async def worker() -> None:
            for line in feed:
                response = await client.post(f"/queues/{QUEUE}/messages", json={"data": line})
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


def check(server: Server, lines: int) -> str:
    stats = server.stats()
    exact = stats["stored"] == lines and stats["doubled"] == 0
    share = stats["throttled"] / max(stats["requests"], 1)
    server.reset()
    return f"stored {stats['stored']}/{lines}, doubled {stats['doubled']}, 429s {share:.1%}" + (
        "" if exact else "  <-- NOT EXACTLY ONCE"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--limit", type=int, default=300, help="requests/s of the rate-limited runs")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="discue-distant-")
    path = f"{work}/lines.txt"
    lines = [json.dumps({"n": n, "pad": "x" * 64}) for n in range(args.lines)]
    Path(path).write_text("\n".join(lines) + "\n")
    results: list[tuple[str, float, str]] = []

    server = Server(args.latency)
    try:
        for label, flags in (
            ("default (adaptive)", ()),
            ("--concurrency 8", ("--concurrency", "8")),
            ("--concurrency 64", ("--concurrency", "64")),
            ("--concurrency 256", ("--concurrency", "256")),
        ):
            elapsed, _ = batch(server, path, *flags)
            results.append((label, args.lines / elapsed, check(server, args.lines)))
            print(f"  {results[-1]}", file=sys.stderr, flush=True)
        elapsed = asyncio.run(httpx_loop(server, lines, 64))
        results.append(("httpx loop, 64 in flight", args.lines / elapsed, check(server, args.lines)))
    finally:
        server.stop()
    for headers in (True, False):
        server = Server(args.latency, args.limit, headers)
        try:
            elapsed, _ = batch(server, path)
            label = f"default vs {args.limit}/s limit ({'RateLimit headers' if headers else 'bare 429s'})"
            results.append((label, args.lines / elapsed, check(server, args.lines)))
            print(f"  {results[-1]}", file=sys.stderr, flush=True)
        finally:
            server.stop()

    best = max(rate for label, rate, _ in results if label.startswith("--concurrency"))
    print(f"\n{args.lines} lines, {args.latency * 1000:.0f} ms added to each request\n")
    print("| run | msg/s | ratio | lines |\n|---|---|---|---|")
    for label, rate, lines_ok in results:
        peer = f"{rate / best:.2f}× best pinned" if "limit" not in label else f"{rate / args.limit:.2f}× the limit"
        print(f"| {label} | {rate:,.0f} | {peer} | {lines_ok} |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        parser = argparse.ArgumentParser()
        parser.add_argument("serve")
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--latency", type=float, default=0.05)
        parser.add_argument("--limit", type=int, default=0)
        parser.add_argument("--headers", action="store_true")
        serve(parser.parse_args())
    else:
        main()
