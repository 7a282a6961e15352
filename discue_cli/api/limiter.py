"""How fast a batch sends: an adaptive limit on the requests in flight, and the pace rate limits ask for.

The limit on requests in flight is found the way TCP finds its window. A *window* is as many replies
as the limit (about one round trip), or one second, whichever comes first. After each window:
- a 429 or 503 in it ends slow start, and when half its replies or more were, halves the limit (down to 1);
- an average latency over twice the floor (the lowest window average seen, and 5 ms above it) takes
  20% off, never below the initial limit (a nearby server's latency grows with any load: it keeps 8);
- else, when the senders were kept busy by the limit (not waiting for input), it rises: doubling
  while in slow start, then by a tenth (at least one) a window; never above the cap (256).
`--concurrency N` pins the limit.

The pace: `Retry-After` (seconds or an HTTP date) on a 429/503 pauses every sender until then (20 s
at most, as a single call waits; a reset further off counts as 20 s too).
`X-RateLimit-Remaining`/`-Reset` (reset in epoch seconds, as the API overview documents) or
`RateLimit-Remaining`/`-Reset` (reset in seconds from now) on any reply give a budget: once what
remains is taken by requests already sent, senders wait for the reset. A 429 with neither, when a fifth
or more of the last second's replies were 429s, sets a pace at 90% of the rate the server accepted in
that second (once a second at most), which rises 5% a second while no 429 comes. `--rate N` caps
messages per second.

Pure decisions over an injected clock; batch.py drives them and awaits the waits they return.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

CAP = 256
INITIAL = 8
WINDOW_SECONDS = 1.0
LATENCY_FACTOR = 2.0
LATENCY_MARGIN = 0.005  # seconds: loopback latencies jitter by more than 2x without meaning anything
THROTTLED = frozenset({429, 503})
MAX_PAUSE = 20.0  # seconds: the longest a header may hold the batch at once (a single call's MAX_WAIT)
THROTTLED_SHARE = 0.2  # of the last second's replies, 429s without headers before the pace is cut


@dataclass(frozen=True)
class Change:
    """A change of the limit on requests in flight, and why (logged with -v)."""

    old: int
    new: int
    reason: str


class Concurrency:
    """The number of requests a batch keeps in flight (see the module's docstring)."""

    def __init__(
        self,
        *,
        pinned: int | None = None,
        initial: int = INITIAL,
        cap: int = CAP,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.pinned = pinned is not None
        self.limit = pinned if pinned is not None else min(initial, cap)
        self.initial = self.limit
        self.cap = max(cap, self.limit)
        self.slow_start = not self.pinned
        self.floor: float | None = None
        self.clock = clock
        self.peak = self.limit
        self._open(clock())

    def _open(self, now: float) -> None:
        self.window_start = now
        self.samples = 0
        self.latency_sum = 0.0
        self.throttled = 0
        self.busy = 0

    def sample(self, latency: float, status: int | None, in_flight: int) -> Change | None:
        """One reply (status None: no reply), `latency` seconds after its request left, with
        `in_flight` requests out when it came (itself included). A Change when the window closed with one."""
        if self.pinned:
            return None
        self.samples += 1
        if status in THROTTLED:
            self.throttled += 1
        elif status is not None:
            self.latency_sum += latency
        if in_flight >= self.limit:
            self.busy += 1
        now = self.clock()
        if self.samples < self.limit and now - self.window_start < WINDOW_SECONDS:
            return None
        change = self._decide(now)
        self._open(now)
        return change

    def _decide(self, now: float) -> Change | None:
        old = self.limit
        if self.throttled:
            self.slow_start = False
            if self.throttled * 2 < self.samples:
                return None  # a few throttled: hold (the pace slows what the server asks; retries carry the rest)
            return self._set(max(1, old // 2), f"throttled: {self.throttled} of {self.samples} replies were 429/503")
        answered = self.samples - self.throttled
        if not answered or not self.latency_sum:
            return None
        average = self.latency_sum / answered
        if self.floor is None or average < self.floor:
            self.floor = average
        if average > self.floor * LATENCY_FACTOR and average - self.floor > LATENCY_MARGIN:
            self.slow_start = False
            lowered = min(old, max(self.initial, int(old * 0.8)))
            reason = f"latency rose to {average * 1000:.0f} ms (floor {self.floor * 1000:.0f} ms)"
            return self._set(lowered, reason)
        if self.busy * 2 < self.samples:
            return None  # the senders waited for input, not for the limit: more would not go faster
        raised = old * 2 if self.slow_start else old + max(1, old // 10)
        elapsed = max(now - self.window_start, 1e-9)
        reason = f"{answered / elapsed:,.0f} replies/s at {average * 1000:.0f} ms (floor {self.floor * 1000:.0f} ms)"
        return self._set(min(self.cap, raised), reason)

    def _set(self, new: int, reason: str) -> Change | None:
        old, self.limit = self.limit, new
        self.peak = max(self.peak, new)
        return Change(old, new, reason) if new != old else None


def header(headers: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = headers.get(name)
        if value is not None and value.strip():
            return value.strip()
    return None


def number(value: str | None) -> float | None:
    try:
        found = float(value) if value is not None else None
    except ValueError:
        return None
    return found if found is not None and found >= 0 and found == found and found != float("inf") else None


class Pace:
    """When the next request may leave: pauses, rate-limit budgets and a rate (see the module's docstring).

    `wall` is the clock that epoch-second headers are read against; `clock` measures intervals."""

    def __init__(
        self,
        *,
        rate: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ):
        self.user_rate = rate
        self.learned: float | None = None
        self.clock = clock
        self.wall = wall
        self.paused_until = 0.0
        self.next_at = 0.0
        self.budget: float | None = None
        self.budget_until = 0.0
        self.accepted: deque[float] = deque()
        self.last_throttle = 0.0
        self.last_raise = 0.0
        self.throttled = 0
        self.first_reply: float | None = None
        self.refused: deque[float] = deque()  # bare 429s of the last second
        self.last_cut = float("-inf")

    @property
    def rate(self) -> float | None:
        rates = [r for r in (self.user_rate, self.learned) if r]
        return min(rates) if rates else None

    def wait(self) -> float:
        """Seconds before one more request may leave; 0 takes its place now (call again after waiting)."""
        now = self.clock()
        if now < self.paused_until:
            return self.paused_until - now
        if self.budget is not None:
            if now >= self.budget_until:
                self.budget = None
            elif self.budget <= 0:
                return self.budget_until - now
        rate = self.rate
        if rate:
            slot = max(self.next_at, now)
            if slot > now:
                return slot - now
            self.next_at = slot + 1.0 / rate
        if self.budget is not None:
            self.budget -= 1
        return 0.0

    def reply(self, status: int, headers: Mapping[str, str], in_flight: int) -> str | None:
        """What one reply says of the pace (`in_flight`: requests out, this one included); why the pace
        changed, when it did."""
        now = self.clock()
        if self.first_reply is None:
            self.first_reply = now
        reason = self._budget(headers, in_flight, now)
        if status not in THROTTLED:
            self.accepted.append(now)
            while self.accepted and self.accepted[0] < now - 1.0:
                self.accepted.popleft()
            if self.learned and now - self.last_throttle >= 1.0 and now - self.last_raise >= 1.0:
                self.learned *= 1.05
                self.last_raise = now
            return reason
        self.throttled += 1
        from discue_cli.api.client import retry_after_seconds

        after = retry_after_seconds(header(headers, "Retry-After"), now=self.wall())
        if after is not None:
            held = min(after, MAX_PAUSE)
            self.paused_until = max(self.paused_until, now + held)
            reason = f"the server asked for a pause of {after:g}s (Retry-After)" + (
                f": pausing {held:g}s" if held < after else ""
            )
        elif self.budget is not None and now < self.budget_until:
            self.budget = 0
            self.paused_until = max(self.paused_until, self.budget_until)
            reason = reason or f"rate limit spent: waiting {self.budget_until - now:.1f}s for its reset"
        elif status == 429:
            self.refused.append(now)
            while self.accepted and self.accepted[0] < now - 1.0:
                self.accepted.popleft()
            while self.refused and self.refused[0] < now - 1.0:
                self.refused.popleft()
            seen = len(self.refused) + len(self.accepted)
            if seen >= 10 and len(self.refused) >= THROTTLED_SHARE * seen and now - self.last_cut >= 1.0:
                span = min(1.0, max(now - self.first_reply, 0.05))
                target = max(len(self.accepted), 1) / span * 0.9  # 90% of what the server took of late
                self.learned = min(self.learned, target) if self.learned else target
                self.next_at = max(self.next_at, now + 1.0 / self.learned)
                self.last_cut = now
                reason = f"throttled (429): pacing at {self.learned:,.0f} requests/s"
        self.last_throttle = now
        return reason

    def _budget(self, headers: Mapping[str, str], in_flight: int, now: float) -> str | None:
        remaining = number(header(headers, "X-RateLimit-Remaining", "RateLimit-Remaining"))
        if remaining is None:
            return None
        epoch = number(header(headers, "X-RateLimit-Reset"))
        if epoch is not None:
            until = now + min(MAX_PAUSE, max(0.0, epoch - self.wall()))
        else:
            delta = number(header(headers, "RateLimit-Reset"))
            if delta is None:
                return None
            until = now + min(MAX_PAUSE, delta)
        spent = self.budget is not None and self.budget <= 0
        # Requests sent before this reply was counted are still coming: they take from what remains.
        self.budget = remaining - max(0, in_flight - 1)
        self.budget_until = until
        if self.budget <= 0 and not spent:
            return f"rate limit: {remaining:g} left until its reset in {until - now:.1f}s"
        return None
