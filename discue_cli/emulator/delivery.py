"""The broadcaster of `emulator serve`: delivers messages to listeners and probes their liveness.

Delivery state lives in SQLite (table `deliveries`), so a restart resumes where it stopped and an
acknowledgement once recorded is never followed by another delivery of the same message.
Every failure of an attempt, whatever raised it, is recorded as a failed attempt and retried
with backoff: nothing a listener's URL or reply does can make the loop spin or stop.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Protocol

import httpx

from discue_cli.emulator.console import clock
from discue_cli.emulator.store import Store, now_ms

IDLE_POLL = 1.0  # seconds: also picks up messages that another process (`--local`) added
STOP_GRACE = 2.0  # seconds the deliveries in flight at a stop get to finish and be recorded
MAX_BACKOFF = 3600.0  # seconds: the longest wait before a redelivery


class Log(Protocol):
    def error(self, text: str) -> None: ...
    def warning(self, text: str) -> None: ...
    def info(self, text: str) -> None: ...
    def debug(self, text: str) -> None: ...


def describe(exc: BaseException) -> str:
    """An attempt's failure in a few words: httpx's class names say enough, anything else adds its text."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:  # from anyio's task groups
        exc = exc.exceptions[0]
    if isinstance(exc, httpx.HTTPError):
        return type(exc).__name__
    text = " ".join(str(exc).split())[:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def backoff(retry_base: float, attempt: int) -> float:
    """Seconds before the redelivery that follows failed attempt `attempt` (1-based)."""
    return min(retry_base * 2 ** min(attempt - 1, 32), MAX_BACKOFF)


class Broadcaster:
    def __init__(self, store: Store, options: Any, log: Log):
        self.store = store
        self.options = options
        self.log = log
        self.per_listener = max(1, options.delivery_concurrency // 4)
        self.in_flight: set[tuple[str, str]] = set()
        self.busy: dict[str, int] = {}
        self.tasks: set[asyncio.Task] = set()
        self.liveness_state: dict[str, str] = {}
        self.stopping = False

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.http = httpx.AsyncClient(
            timeout=self.options.delivery_timeout,
            limits=httpx.Limits(max_connections=self.options.delivery_concurrency * 2),
            trust_env=False,
        )
        self.wakeup = asyncio.Event()
        self.slots = asyncio.Semaphore(self.options.delivery_concurrency)
        self.loops = [asyncio.create_task(self.deliver_loop()), asyncio.create_task(self.liveness_loop())]

    def halt(self) -> None:
        """Start no more deliveries or probes. Safe to call from a signal handler: it only sets a flag."""
        self.stopping = True

    async def stop(self) -> None:
        """Halt, give the deliveries in flight a moment to finish, then cancel what is left."""
        self.halt()
        self.wake()
        for task in self.loops:
            task.cancel()
        # asyncio.wait never swallows a cancellation, and the loops end on `stopping` anyway.
        await asyncio.wait(self.loops, timeout=1.0)
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=min(STOP_GRACE, self.options.delivery_timeout))
        for task in self.tasks:
            task.cancel()
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=1.0)
        await self.http.aclose()

    def wake(self) -> None:
        self.wakeup.set()

    async def idle(self, seconds: float) -> None:
        """Wait until woken or `seconds` pass. Not wait_for: on 3.11 it swallows a cancel that meets a wake-up."""
        waiter = asyncio.ensure_future(self.wakeup.wait())
        try:
            await asyncio.wait((waiter,), timeout=seconds)
        finally:
            waiter.cancel()

    # -- delivery

    async def deliver_loop(self) -> None:
        while not self.stopping:
            self.wakeup.clear()
            try:
                started = self.start_due()
                next_at = self.store.next_due_at()
            except Exception as exc:  # the database, most likely: say so, and try again later
                self.log.error(f"{clock()} delivery: {describe(exc)}")
                await self.idle(IDLE_POLL)
                continue
            if next_at is None:
                wait = IDLE_POLL
            elif next_at <= now_ms() and not started:
                wait = IDLE_POLL  # all that is due is in flight or held: an attempt ending wakes us
            else:
                wait = min(IDLE_POLL, max(0.01, (next_at - now_ms()) / 1000))
            await self.idle(wait)

    def start_due(self) -> int:
        """Start an attempt for each due delivery there is room for; how many were started."""
        saturated = [lid for lid, n in self.busy.items() if n >= self.per_listener]
        limit = self.options.delivery_concurrency + len(self.in_flight)
        started = 0
        for due in self.store.due_deliveries(now_ms(), limit, exclude_listeners=saturated):
            if self.stopping:
                break
            key = (due["message_id"], due["listener_id"])
            if key in self.in_flight or self.busy.get(due["listener_id"], 0) >= self.per_listener:
                continue
            self.in_flight.add(key)
            self.busy[due["listener_id"]] = self.busy.get(due["listener_id"], 0) + 1
            task = asyncio.create_task(self.attempt(due))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
            started += 1
        return started

    async def attempt(self, due: dict[str, Any]) -> None:
        key = (due["message_id"], due["listener_id"])
        hold = 0.0
        try:
            async with self.slots:
                if not self.stopping:  # queued before the stop: leave it pending for the next run
                    hold = await self.post(due)
        finally:
            self.busy[key[1]] -= 1
            if not self.busy[key[1]]:
                del self.busy[key[1]]
            if hold:
                self.loop.call_later(hold, self.release, key)
            else:
                self.release(key)

    def release(self, key: tuple[str, str]) -> None:
        self.in_flight.discard(key)
        self.wake()

    async def post(self, due: dict[str, Any]) -> float:
        """One attempt, recorded; the seconds to keep it from being retried when recording failed."""
        message_id, listener_id = due["message_id"], due["listener_id"]
        attempt = due["attempts"] + 1
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
        except asyncio.CancelledError:
            # Stopped mid-request: the listener may have it. Count the attempt, so that the next
            # run sends it again at once, as the next attempt.
            self.interrupted(message_id, listener_id)
            raise
        except Exception as exc:  # an invalid URL as much as a refused connection: a failed attempt
            outcome = describe(exc)
        ms = (time.perf_counter() - started) * 1000
        acked = status is not None and 200 <= status < 300
        delay = backoff(self.options.retry_base, attempt)
        next_at = None if acked or attempt >= self.options.max_attempts else now_ms() + int(delay * 1000)
        try:
            self.store.record_attempt(message_id, listener_id, status, acked=acked, next_at=next_at)
        except Exception as exc:
            head = f"{clock()} deliver {due['listener_name']} message {message_id}"
            self.log.error(f"{head} attempt {attempt}: {outcome}, not recorded: {describe(exc)}")
            return delay
        self.report(due, attempt, outcome, ms, acked=acked, missed=not acked and next_at is None, delay=delay)
        return 0.0

    def interrupted(self, message_id: str, listener_id: str) -> None:
        try:
            self.store.record_interrupted(message_id, listener_id)
        except Exception as exc:
            self.log.error(f"{clock()} deliver message {message_id}: interrupted, not recorded: {describe(exc)}")

    def report(
        self, due: dict[str, Any], attempt: int, outcome: str, ms: float, *, acked: bool, missed: bool, delay: float
    ) -> None:
        """debug: one line per attempt; info: one per delivery that ends acknowledged; warning: missed."""
        head = f"{clock()} deliver {due['listener_name']} message {due['message_id']}"
        suffix = " (missed)" if missed else ("" if acked else f" (retry in {delay:g}s)")
        self.log.debug(f"{head} attempt {attempt}: {outcome}{suffix} {ms:.0f}ms")
        if acked:
            self.log.info(f"{head}: delivered on attempt {attempt} ({outcome}, {ms:.0f}ms)")
        elif missed:
            self.log.warning(f"{head}: missed after {attempt} attempts (last: {outcome})")

    # -- liveness

    async def liveness_loop(self) -> None:
        while not self.stopping:
            try:
                listeners = self.store.list_listeners()
            except Exception as exc:
                self.log.error(f"{clock()} liveness: {describe(exc)}")
                listeners = []
            await asyncio.gather(*(self.probe(row) for row in listeners))
            await asyncio.sleep(self.options.liveness_interval)

    async def probe(self, row: dict[str, Any]) -> None:
        """One probe; whatever fails here fails for this listener only."""
        async with self.slots:
            if self.stopping:
                return
            status: int | None = None
            try:
                response = await self.http.get(row["liveness_url"])
                status = response.status_code
                ok = 200 <= status < 300
                message = None if ok else f"HTTP {status}"
            except Exception as exc:
                ok, message = False, describe(exc)
        try:
            self.store.record_liveness(row["id"], ok, status, message)
        except Exception as exc:
            self.log.error(f"{clock()} liveness {row['name']}: not recorded: {describe(exc)}")
            return
        state = "stable" if ok else "unstable"
        if self.liveness_state.get(row["id"]) != state:
            self.liveness_state[row["id"]] = state
            line = f"{clock()} liveness {row['name']}: {state} ({status or message})"
            (self.log.info if ok else self.log.warning)(line)
