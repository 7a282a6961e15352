"""What `discue top` knows of an organisation, and how it polls for it gently.

A refresh reads the selected queue in full (its messages, ids only, and its listeners) and, in turn,
the message counts of at most OTHERS_PER_REFRESH other queues; every SLOW_EVERY refreshes (and the
first) it lists the queues and every listener of the organisation in one call each. From 2023-04,
one GET /events (following a cursor) gives the messages added per queue and the recent events; in
2022-05 the view lists the changes it saw instead. Nothing here knows Textual: the view and the
--once/--json outputs both read a Snapshot.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from discue_cli.errors import AuthError, DiscueError, NotFoundError

if TYPE_CHECKING:
    from discue_cli.api.client import Client

OTHERS_PER_REFRESH = 3  # other queues whose message count one refresh reads
SLOW_EVERY = 5  # refreshes between two listings of the queues and of every listener
MAX_RATE = 5.0  # requests a second, at most, averaged over a refresh (see Poller.pause)
MAX_BACKOFF = 60.0  # seconds between tries while the endpoint keeps failing
BUCKET = 30.0  # seconds per sparkline bar
BARS = 10  # sparkline bars: the last five minutes
EVENTS_KEPT = 50
CATCH_UP_PAGES = 10  # pages of events read in one refresh at most, to catch up after a burst
SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """Bars for counts, scaled to the largest; all zero is a flat line."""
    top = max(values, default=0)
    if top <= 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[min(len(SPARKS) - 1, round(v * (len(SPARKS) - 1) / top))] for v in values)


@dataclass
class QueueView:
    id: str
    name: str
    messages: int | None = None
    listeners: int | None = None
    failing: int | None = None
    added: deque = field(default_factory=deque)  # (second, how many added in it), oldest first

    def note_added(self, when: float, count: int) -> None:
        """`count` messages added at `when`: one entry a second, none older than the sparkline shows."""
        second = float(int(when))
        if self.added and self.added[-1][0] == second:
            self.added[-1] = (second, self.added[-1][1] + count)
        else:
            self.added.append((second, count))
        while self.added and self.added[0][0] < second - BARS * BUCKET - 60:
            self.added.popleft()

    def added_in(self, start: float, end: float) -> int:
        return sum(n for t, n in self.added if start <= t < end)

    def history(self, now: float) -> list[int]:
        """Messages added in each of the last BARS buckets, oldest first."""
        return [self.added_in(now - (BARS - i) * BUCKET, now - (BARS - i - 1) * BUCKET) for i in range(BARS)]


def listener_row(item: dict[str, Any]) -> dict[str, Any]:
    """A listener as the view and the snapshot show it; fields its generation lacks are left out."""
    liveness = item.get("liveness") if isinstance(item.get("liveness"), dict) else {}
    messages = item.get("messages") if isinstance(item.get("messages"), dict) else {}
    row: dict[str, Any] = {"id": item.get("id"), "name": item.get("name")}
    if "status" in item:  # 2024-08
        row["status"] = item.get("status")
    row["state"] = liveness.get("state")
    row["failing"] = failing(item)
    row["successes"] = liveness.get("success_count")
    row["failures"] = liveness.get("failure_count")
    row["acknowledged"] = messages.get("acknowledged_count")
    row["missed"] = messages.get("missed_count")
    if "last_failure_status" in liveness or "last_failure_at" in liveness:  # 2022-05 only
        row["last_failure_status"] = liveness.get("last_failure_status")
        row["last_failure_at"] = liveness.get("last_failure_at")
    return row


def failing(item: dict[str, Any]) -> bool:
    """A listener whose liveness checks fail (discue calls it unstable)."""
    liveness = item.get("liveness")
    return isinstance(liveness, dict) and liveness.get("state") == "unstable"


def queue_of(item: dict[str, Any], hrefs: list[Any]) -> str | None:
    """The queue a listener of GET /listeners belongs to: its queue_id, else the queue in its link."""
    if item.get("queue_id") is not None:
        return str(item["queue_id"])
    from discue_cli.commands._common import queue_in_links

    return queue_in_links(hrefs, "listeners", item.get("id"))


@dataclass
class Snapshot:
    """One refresh's result: what the view draws and what --once/--json print."""

    endpoint: str
    generation: str
    refreshed_at: float | None
    calls: int
    queues: list[QueueView]
    selected: str | None
    listeners: list[dict[str, Any]]  # of the selected queue
    all_listeners: list[dict[str, Any]]
    events: list[dict[str, Any]]
    error: str | None = None
    stopped: bool = False  # a 401/403: no more polling until asked

    def queue_rows(self, now: float | None = None) -> list[dict[str, Any]]:
        """The queues as rows, the busiest first (added in the last minute, then held, then name)."""
        now = self.refreshed_at if now is None else now
        rows = []
        for q in self.queues:
            rows.append(
                {
                    "id": q.id,
                    "name": q.name,
                    "messages": q.messages,
                    "listeners": q.listeners,
                    "failing": q.failing,
                    "added_per_minute": q.added_in(now - 60, now + 1) if now else 0,
                    "history": q.history(now + 1) if now else [0] * BARS,
                }
            )
        rows.sort(key=lambda r: (-r["added_per_minute"], -(r["messages"] or 0), str(r["name"])))
        return rows

    def as_json(self) -> dict[str, Any]:
        """The whole snapshot, for --json and --jq."""
        when = self.refreshed_at
        return {
            "endpoint": self.endpoint,
            "generation": self.generation,
            "refreshed_at": iso(when),
            "api_calls": self.calls,
            "queues": [
                {k: r[k] for k in ("id", "name", "messages", "listeners", "failing", "added_per_minute")}
                for r in self.queue_rows()
            ],
            "listeners": self.all_listeners,
            "events": self.events,
        }


def iso(when: float | None) -> str | None:
    if when is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


class Poller:
    """Reads the endpoint a little at a time and keeps what it learnt between refreshes."""

    def __init__(
        self,
        client: Client,
        endpoint: str,
        refs: list[str] | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ):
        self.client = client
        self.endpoint = endpoint
        self.refs = list(refs or [])  # QUEUE arguments: only these queues are shown
        self.clock = clock
        self.queues: dict[str, QueueView] = {}
        self.selected: str | None = None
        self.all_listeners: list[dict[str, Any]] = []
        self.events: deque = deque(maxlen=EVENTS_KEPT)
        self.cursor: str | None = None  # the last event read
        self.round = 0
        self.turn = 0  # where the round-robin of other queues' counts stands
        self.failures = 0
        self.stopped = False
        self.error: str | None = None
        self.calls = 0
        self.last_calls = 0
        self.refreshed_at: float | None = None
        self.full = True  # list queues and listeners on the next refresh
        self.has_events: bool | None = None
        previous = client.on_exchange

        def counting(method: str, url: str, outcome: str, ms: float) -> None:
            self.calls += 1
            if previous is not None:
                previous(method, url, outcome, ms)

        client.on_exchange = counting

    @property
    def generation(self) -> str:
        from discue_cli.api.generations import tracker

        return tracker(self.client).known or "unknown"

    def snapshot(self) -> Snapshot:
        return Snapshot(
            endpoint=self.endpoint,
            generation=self.generation,
            refreshed_at=self.refreshed_at,
            calls=self.last_calls,
            queues=list(self.queues.values()),
            selected=self.selected,
            listeners=[{k: v for k, v in r.items() if k != "queue_id"} for r in self.listeners_of(self.selected)],
            all_listeners=list(self.all_listeners),
            events=list(self.events),
            error=self.error,
            stopped=self.stopped,
        )

    def delay(self, interval: float) -> float:
        """Seconds until the next refresh: the interval, longer after failures, and never above MAX_RATE."""
        wait = max(interval, self.last_calls / MAX_RATE)
        if self.failures:
            wait = min(MAX_BACKOFF, max(wait, interval * 2 ** min(self.failures, 8)))
        return wait

    def retry(self) -> None:
        """`r`: poll again, after a 401/403 too."""
        self.stopped = False

    async def refresh(self, *, everything: bool = False, raising: bool = False) -> Snapshot:
        """One round; errors end up in the snapshot (a 401/403 also stops polling), raised only if `raising`.

        `everything` counts every queue's messages in this one round (--once, a first --json snapshot)."""
        self.calls = 0
        try:
            await self.poll(everything)
        except DiscueError as exc:
            self.failures += 1
            self.error = exc.title
            if isinstance(exc, AuthError):
                self.stopped = True
                self.error = f"{exc.title}: polling stopped (repeated bad keys lock a user out); r tries again"
            elif isinstance(exc, NotFoundError):
                self.full = True  # a queue went away meanwhile: list them again next time
            if raising:
                raise
        except Exception as exc:  # a reply of a shape nobody foresaw: said in the view, never a traceback
            if raising:
                raise
            self.failures += 1
            self.error = f"internal error: {type(exc).__name__}: {exc}"
        else:
            self.failures = 0
            self.error = None
            self.refreshed_at = self.clock()
        finally:
            self.last_calls = self.calls
            self.round += 1
        return self.snapshot()

    async def poll(self, everything: bool) -> None:
        from discue_cli.api import listeners as listeners_api
        from discue_cli.api import messages as messages_api

        now = self.clock()
        slow = self.full or everything or self.round % SLOW_EVERY == 0
        if slow:
            await self.list_queues()
            await self.list_listeners()  # every queue's, the selected one's included
            self.full = False
        if self.selected not in self.queues:
            self.selected = next(iter(self.queues), None)
        if self.selected is not None:
            count = len((await messages_api.list_messages(self.client, self.selected)).resources)
            self.count(self.queues[self.selected], count, now)
            if not slow:
                reply = await listeners_api.list_listeners(self.client, self.selected, embed=True)
                self.note_listeners(self.queues[self.selected], [listener_row(item) for item in reply.resources])
        others = [q for q in self.queues if q != self.selected]
        if others:
            turn = range(self.turn, self.turn + OTHERS_PER_REFRESH)
            chosen = others if everything else [others[i % len(others)] for i in turn]
            for queue_id in dict.fromkeys(chosen):
                count = len((await messages_api.list_messages(self.client, queue_id)).resources)
                self.count(self.queues[queue_id], count, now)
            self.turn = (self.turn + OTHERS_PER_REFRESH) % len(others)
        await self.read_events(now)

    async def list_queues(self) -> None:
        from discue_cli.api import queues as queues_api
        from discue_cli.commands._common import display_name

        found = (await queues_api.list_queues(self.client)).resources
        if self.refs:
            known = {str(q.get("id")) for q in found} | {display_name(q) for q in found}
            missing = [ref for ref in self.refs if ref not in known]
            if missing:
                raise NotFoundError(f"no queue '{missing[0]}'")
            wanted = set(self.refs)
            found = [q for q in found if str(q.get("id")) in wanted or display_name(q) in wanted]
        fresh: dict[str, QueueView] = {}
        for item in found:
            if item.get("id") is None:
                continue
            queue_id = str(item["id"])
            view = self.queues.get(queue_id) or QueueView(queue_id, display_name(item))
            view.name = display_name(item)
            fresh[queue_id] = view
        self.queues = fresh

    async def list_listeners(self) -> None:
        from discue_cli.api import listeners as listeners_api

        reply = await listeners_api.list_all_listeners(self.client, embed=True)
        hrefs = [link.get("href") for link in (reply.body.get("_links") or {}).values() if isinstance(link, dict)]
        per_queue: dict[str, list[dict[str, Any]]] = {}
        for item in reply.resources:
            per_queue.setdefault(queue_of(item, hrefs) or "", []).append(listener_row(item))
        for queue_id, view in self.queues.items():
            self.note_listeners(view, per_queue.get(queue_id, []))
        # only the listeners of the queues shown (a queue deleted meanwhile, or not asked for, takes its own along)
        self.all_listeners = [r for r in self.all_listeners if r.get("queue_id") in self.queues]

    def note_listeners(self, view: QueueView, rows: list[dict[str, Any]]) -> None:
        if self.has_events is False and view.failing is not None:
            before = {r["id"]: r["failing"] for r in self.listeners_of(view.id)}
            for r in rows:
                if r["id"] in before and before[r["id"]] != r["failing"]:
                    state = "failing" if r["failing"] else "recovered"
                    self.seen(f"listener {r['name']} of {view.name}: {state}")
        view.listeners = len(rows)
        view.failing = sum(1 for r in rows if r["failing"])
        bare = [{k: v for k, v in r.items() if k != "queue_id"} for r in rows]
        others = [r for r in self.all_listeners if r.get("queue_id") != view.id]
        self.all_listeners = others + [{"queue_id": view.id, **r} for r in bare]

    def listeners_of(self, queue_id: str | None) -> list[dict[str, Any]]:
        return [r for r in self.all_listeners if r.get("queue_id") == queue_id]

    def count(self, view: QueueView, count: int, now: float) -> None:
        """A queue's message count; without /events, a rise is what the view saw added."""
        before, view.messages = view.messages, count
        if before is None or before == count or self.has_events:
            return
        if count > before:
            view.note_added(now, count - before)
        self.seen(f"{view.name}: {before} → {count} messages")

    def seen(self, text: str) -> None:
        self.events.append({"stored_at": iso(self.clock()), "type": "seen", "text": text})

    async def read_events(self, now: float) -> None:
        """The events since the last refresh (from 2023-04): per-queue messages added, and the recent list."""
        from discue_cli.api import events as events_api
        from discue_cli.api.generations import SINCE_2023

        generation = self.generation
        if generation not in SINCE_2023:
            self.has_events = False if generation != "unknown" else None
            return
        self.has_events = True
        if self.cursor is None:
            rows = await events_api.events_since(self.client, after_ms=int((now - BARS * BUCKET) * 1000))
        else:
            try:
                rows = await events_api.events_since(self.client, after_id=self.cursor)
            except DiscueError as exc:
                if exc.status != 400:  # 400: the cursor's event is older than 24 hours
                    raise
                rows = await events_api.events_since(self.client, after_ms=int((now - BARS * BUCKET) * 1000))
        for page in range(CATCH_UP_PAGES):
            for event in rows:
                self.cursor = str(event["id"]) if event.get("id") is not None else self.cursor
                queue = self.queues.get(str(event.get("queue_id")))
                if event.get("type") == "message_added" and queue is not None:
                    stamp = event.get("stored_at")
                    when = stamp / 1000 if isinstance(stamp, (int, float)) else now
                    queue.note_added(when, 1)
                self.events.append(event)
            # A full page after a burst: the newest events are further on (a few pages at most a refresh).
            if len(rows) < events_api.PAGE or self.cursor is None or page == CATCH_UP_PAGES - 1:
                break
            rows = await events_api.events_since(self.client, after_id=self.cursor)
