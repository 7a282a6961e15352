"""The broadcaster of `emulator serve`: delivers messages to listeners and probes their liveness.

Delivery state lives in SQLite (table `deliveries`), so a restart resumes where it stopped and an
acknowledgement once recorded is never followed by another delivery of the same message.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from discue_cli.emulator.store import Store, now_ms

IDLE_POLL = 1.0  # seconds: also picks up messages that another process (`--local`) added


class Broadcaster:
    def __init__(self, store: Store, options: Any, log: Callable[[str], None]):
        self.store = store
        self.options = options
        self.log = log
        self.per_listener = max(1, options.delivery_concurrency // 4)
        self.in_flight: set[tuple[str, str]] = set()
        self.busy: dict[str, int] = {}
        self.tasks: set[asyncio.Task] = set()
        self.liveness_state: dict[str, str] = {}

    async def start(self) -> None:
        self.http = httpx.AsyncClient(
            timeout=self.options.delivery_timeout,
            limits=httpx.Limits(max_connections=self.options.delivery_concurrency * 2),
            trust_env=False,
        )
        self.wakeup = asyncio.Event()
        self.slots = asyncio.Semaphore(self.options.delivery_concurrency)
        self.loops = [asyncio.create_task(self.deliver_loop()), asyncio.create_task(self.liveness_loop())]

    async def stop(self) -> None:
        for task in [*self.loops, *self.tasks]:
            task.cancel()
        await asyncio.gather(*self.loops, *self.tasks, return_exceptions=True)
        await self.http.aclose()

    def wake(self) -> None:
        self.wakeup.set()

    # -- delivery

    async def deliver_loop(self) -> None:
        while True:
            self.wakeup.clear()
            saturated = [lid for lid, n in self.busy.items() if n >= self.per_listener]
            limit = self.options.delivery_concurrency + len(self.in_flight)
            for due in self.store.due_deliveries(now_ms(), limit, exclude_listeners=saturated):
                key = (due["message_id"], due["listener_id"])
                if key in self.in_flight or self.busy.get(due["listener_id"], 0) >= self.per_listener:
                    continue
                self.in_flight.add(key)
                self.busy[due["listener_id"]] = self.busy.get(due["listener_id"], 0) + 1
                task = asyncio.create_task(self.attempt(due))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            next_at = self.store.next_due_at()
            wait = IDLE_POLL if next_at is None else min(IDLE_POLL, max(0.0, (next_at - now_ms()) / 1000))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wakeup.wait(), timeout=max(wait, 0.01))

    async def attempt(self, due: dict[str, Any]) -> None:
        message_id, listener_id = due["message_id"], due["listener_id"]
        attempt = due["attempts"] + 1
        try:
            async with self.slots:
                started = time.perf_counter()
                status: int | None = None
                try:
                    response = await self.http.post(
                        due["notify_url"],
                        json={
                            "message_id": message_id,
                            "queue_id": due["queue_id"],
                            "listener_id": listener_id,
                            "data": due["data"],
                            "attempt": attempt,
                        },
                        headers={"X-Discue-Message-Id": message_id, "X-Discue-Attempt": str(attempt)},
                    )
                    status = response.status_code
                    outcome = str(status)
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                ms = (time.perf_counter() - started) * 1000
                acked = status is not None and 200 <= status < 300
                if acked:
                    next_at = None
                elif attempt >= self.options.max_attempts:
                    next_at = None
                    outcome += " (missed)"
                else:
                    delay = self.options.retry_base * (2 ** (attempt - 1))
                    next_at = now_ms() + int(delay * 1000)
                    outcome += f" (retry in {delay:g}s)"
                self.store.record_attempt(message_id, listener_id, status, acked=acked, next_at=next_at)
                self.log(
                    f"{datetime.now():%H:%M:%S} deliver {due['listener_name']} message {message_id}"
                    f" attempt {attempt}: {outcome} {ms:.0f}ms"
                )
        finally:
            self.in_flight.discard((message_id, listener_id))
            self.busy[listener_id] -= 1
            if not self.busy[listener_id]:
                del self.busy[listener_id]
            self.wake()

    # -- liveness

    async def liveness_loop(self) -> None:
        while True:
            listeners = self.store.list_listeners()
            await asyncio.gather(*(self.probe(row) for row in listeners))
            await asyncio.sleep(self.options.liveness_interval)

    async def probe(self, row: dict[str, Any]) -> None:
        async with self.slots:
            status: int | None = None
            try:
                response = await self.http.get(row["liveness_url"])
                status = response.status_code
                ok = 200 <= status < 300
                message = None if ok else f"HTTP {status}"
            except httpx.HTTPError as exc:
                ok, message = False, type(exc).__name__
        self.store.record_liveness(row["id"], ok, status, message)
        state = "stable" if ok else "unstable"
        if self.liveness_state.get(row["id"]) != state:
            self.liveness_state[row["id"]] = state
            self.log(f"{datetime.now():%H:%M:%S} liveness {row['name']}: {state} ({status or message})")
