"""The batch's limiter decides on a fake clock: a scripted server's replies in, limits and waits out."""

from __future__ import annotations

import pytest

from discue_cli.api.limiter import CAP, Change, Concurrency, Pace


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def window(limiter: Concurrency, clock: Clock, latency: float, status: int | None = 201, busy: bool = True):
    """One round trip of replies at the current limit; the Change that closed it."""
    changes = []
    limit = limiter.limit
    for _ in range(limit):
        clock.advance(latency / limit)
        change = limiter.sample(latency, status, limit if busy else 1)
        if change is not None:
            changes.append(change)
    assert len(changes) <= 1
    return changes[0] if changes else None


def test_a_distant_server_raises_the_limit_by_doubling_up_to_the_cap():
    clock = Clock()
    limiter = Concurrency(clock=clock)
    assert limiter.limit == 8
    seen = [window(limiter, clock, 0.050).new for _ in range(5)]
    assert seen == [16, 32, 64, 128, 256]
    assert window(limiter, clock, 0.050) is None  # at the cap
    assert limiter.limit == CAP and limiter.peak == CAP


def test_a_nearby_server_whose_latency_grows_with_load_keeps_the_initial_limit():
    clock = Clock()
    limiter = Concurrency(clock=clock)
    for _ in range(20):
        # a server that serves one request at a time: latency is in-flight x service time
        window(limiter, clock, 0.001 * limiter.limit)
        assert limiter.limit >= 8
    assert limiter.limit <= 32  # it tried, saw the latency rise, and came back down


def test_latency_rising_past_twice_the_floor_takes_a_fifth_off():
    clock = Clock()
    limiter = Concurrency(clock=clock, initial=8)
    for _ in range(3):
        window(limiter, clock, 0.050)
    assert limiter.limit == 64
    change = window(limiter, clock, 0.200)
    assert change == Change(64, 51, "latency rose to 200 ms (floor 50 ms)")
    assert not limiter.slow_start


def test_throttling_halves_the_limit_and_ends_slow_start_then_it_recovers_additively():
    clock = Clock()
    limiter = Concurrency(clock=clock)
    for _ in range(3):
        window(limiter, clock, 0.050)
    change = window(limiter, clock, 0.050, status=429)
    assert change == Change(64, 32, "throttled: 64 of 64 replies were 429/503")
    assert window(limiter, clock, 0.050, status=503).new == 16
    assert [window(limiter, clock, 0.050).new for _ in range(3)] == [17, 18, 19]


def test_throttling_can_take_the_limit_below_the_initial_one_and_to_one():
    clock = Clock()
    limiter = Concurrency(clock=clock)
    for _ in range(5):
        window(limiter, clock, 0.050, status=429)
    assert limiter.limit == 1


def test_senders_waiting_for_input_do_not_raise_the_limit():
    clock = Clock()
    limiter = Concurrency(clock=clock)
    for _ in range(5):
        assert window(limiter, clock, 0.050, busy=False) is None
    assert limiter.limit == 8


def test_a_slow_trickle_closes_a_window_after_a_second():
    clock = Clock()
    limiter = Concurrency(clock=clock)
    assert limiter.sample(0.05, 429, 8) is None
    clock.advance(1.0)
    assert limiter.sample(0.05, 201, 8) == Change(8, 4, "throttled: 1 of 2 replies were 429/503")


def test_a_pinned_limit_never_moves():
    clock = Clock()
    limiter = Concurrency(pinned=64, clock=clock)
    for status in (201, 429, 503, 201):
        assert window(limiter, clock, 0.050, status=status) is None
    assert limiter.limit == 64


def test_no_replies_at_all_change_nothing_but_count():
    clock = Clock()
    limiter = Concurrency(clock=clock)
    assert window(limiter, clock, 30.0, status=None) is None
    assert limiter.limit == 8


# The pace


def test_without_limits_every_request_goes_at_once():
    pace = Pace(clock=Clock())
    assert [pace.wait() for _ in range(1000)] == [0.0] * 1000


def test_rate_spaces_requests_evenly():
    clock = Clock()
    pace = Pace(rate=100, clock=clock)
    assert pace.wait() == 0.0
    assert pace.wait() == pytest.approx(0.01)
    clock.advance(0.01)
    assert pace.wait() == 0.0
    sent = 0
    for _ in range(10_000):
        wait = pace.wait()
        if wait:
            clock.advance(wait)
        else:
            sent += 1
        if clock.now >= 1010.01:
            break
    assert 995 <= sent <= 1001  # ten seconds at 100/s


def test_retry_after_in_seconds_pauses_every_sender():
    clock = Clock()
    pace = Pace(clock=clock)
    reason = pace.reply(429, {"Retry-After": "3"}, in_flight=5)
    assert reason == "the server asked for a pause of 3s (Retry-After)"
    assert pace.wait() == pytest.approx(3.0)
    clock.advance(3.0)
    assert pace.wait() == 0.0


def test_retry_after_as_an_http_date_is_read_against_the_wall_clock():
    clock = Clock()
    pace = Pace(clock=clock, wall=lambda: 1_700_000_000.0)
    pace.reply(503, {"Retry-After": "Tue, 14 Nov 2023 22:13:25 GMT"}, in_flight=1)  # 5 s after the wall clock
    assert pace.wait() == pytest.approx(5.0)


def test_x_ratelimit_budget_holds_requests_for_the_reset_once_spent():
    clock = Clock()
    pace = Pace(clock=clock, wall=lambda: clock.now + 1_700_000_000 - 1000)
    headers = {"X-RateLimit-Limit": "600", "X-RateLimit-Remaining": "10", "X-RateLimit-Reset": "1700000002"}
    assert pace.reply(201, headers, in_flight=4) is None
    # 3 requests were already on their way: 7 may still leave before the reset
    assert [pace.wait() for _ in range(7)] == [0.0] * 7
    assert pace.wait() == pytest.approx(2.0)
    clock.advance(2.0)
    assert pace.wait() == 0.0  # a new window: no budget known until the next reply


def test_ratelimit_reset_in_seconds_and_a_spent_budget_say_why():
    clock = Clock()
    pace = Pace(clock=clock)
    reason = pace.reply(201, {"RateLimit-Remaining": "0", "RateLimit-Reset": "1.5"}, in_flight=1)
    assert reason == "rate limit: 0 left until its reset in 1.5s"
    assert pace.wait() == pytest.approx(1.5)


def test_a_429_without_headers_paces_at_nine_tenths_of_what_was_accepted_then_probes_upward():
    clock = Clock()
    pace = Pace(clock=clock)
    for _ in range(300):  # a second of 300 accepted replies
        clock.advance(1 / 300)
        pace.reply(201, {}, in_flight=8)
    for _ in range(74):
        assert pace.reply(429, {}, in_flight=8) is None and pace.rate is None
    reason = pace.reply(429, {}, in_flight=8)  # a fifth of the last second's replies: 75 of 375
    assert reason == "throttled (429): pacing at 271 requests/s"  # 300 in the 0.997 s since the first
    learned = pace.rate
    assert learned == pytest.approx(270, rel=0.01)
    clock.advance(1.0)
    pace.reply(201, {}, in_flight=8)
    assert pace.rate == pytest.approx(learned * 1.05)
    assert pace.throttled == 75


def test_a_steady_few_429s_do_not_wear_the_pace_or_the_limit_down():
    """A server that refuses one request in ten (not a rate limit): hold, never spiral to nothing."""
    clock = Clock()
    pace = Pace(clock=clock)
    limiter = Concurrency(clock=clock)
    for n in range(5000):
        clock.advance(1 / 500)
        status = 429 if n % 10 == 0 else 201
        pace.reply(status, {}, in_flight=8)
        limiter.sample(0.01, status, limiter.limit)
    assert pace.rate is None
    assert limiter.limit >= 8


def test_a_huge_retry_after_pauses_twenty_seconds_at_most():
    clock = Clock()
    pace = Pace(clock=clock)
    reason = pace.reply(429, {"Retry-After": "100000"}, in_flight=1)
    assert reason == "the server asked for a pause of 100000s (Retry-After): pausing 20s"
    assert pace.wait() == pytest.approx(20.0)


def test_a_far_ratelimit_reset_holds_twenty_seconds_at_most():
    clock = Clock()
    pace = Pace(clock=clock, wall=lambda: 1_700_000_000.0)
    pace.reply(201, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "9999999999"}, in_flight=1)
    assert pace.wait() == pytest.approx(20.0)


def test_the_user_rate_caps_a_learned_one():
    clock = Clock()
    pace = Pace(rate=50, clock=clock)
    for _ in range(100):
        clock.advance(0.01)
        pace.reply(201, {}, in_flight=1)
    pace.reply(429, {}, in_flight=1)
    assert pace.rate == 50


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "soon", ""])
def test_nonsense_rate_limit_headers_are_ignored(value):
    pace = Pace(clock=Clock())
    assert pace.reply(201, {"RateLimit-Remaining": value, "RateLimit-Reset": "5"}, in_flight=1) is None
    assert pace.wait() == 0.0
