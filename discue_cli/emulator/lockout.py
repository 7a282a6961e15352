"""The API overview's lock-out: "after detecting several requests with invalid credentials within a
short period, the API will temporarily reject all authentication attempts for that user (including
ones with valid credentials) with 403 Forbidden". The local discue keys it by client address:
THRESHOLD invalid keys within WINDOW seconds lock the address out for DURATION seconds."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

THRESHOLD = 10
WINDOW = 60.0
DURATION = 60.0
TRACKED = 10_000  # addresses remembered at most: anyone may send bad keys from many addresses


class Lockout:
    def __init__(
        self,
        threshold: int = THRESHOLD,
        window: float = WINDOW,
        duration: float = DURATION,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.threshold, self.window, self.duration, self.clock = threshold, window, duration, clock
        self.failures: dict[str, deque[float]] = {}
        self.until: dict[str, float] = {}

    def seconds_left(self, address: str) -> int | None:
        """Whole seconds until `address` may authenticate again; None when it is not locked out."""
        until = self.until.get(address)
        if until is None:
            return None
        left = until - self.clock()
        if left <= 0:
            del self.until[address]
            return None
        return math.ceil(left)

    def failed(self, address: str) -> None:
        """One request from `address` with an invalid key."""
        now = self.clock()
        recent = self.failures.pop(address, None) or deque()
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        recent.append(now)
        if len(recent) >= self.threshold:
            self.until[address] = now + self.duration
            return
        if len(self.failures) >= TRACKED:
            self.failures.pop(next(iter(self.failures)))  # the address that failed longest ago
        self.failures[address] = recent  # re-inserted: the dict stays ordered by last failure
