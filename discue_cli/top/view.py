"""The full-screen view of `discue top`, drawn with Textual from the Poller's snapshots.

Imported only by `discue top` on a terminal: no other command pays for Textual. Server text (names,
event types) is shown as plain Text with control characters escaped, never as markup.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from discue_cli.output.formats import escape_controls, timestamp
from discue_cli.top.model import MAX_RATE, Poller, Snapshot, sparkline

KEYS = "q quit   r refresh now   ↑/↓ j/k select a queue   / filter   ? help"
HELP = (
    "Queues: messages held, added in the last minute and a bar per 30 s of the last five minutes "
    "(from /events, or from the counts the view saw), listeners and how many fail their liveness checks.\n"
    "The selected queue is read in full each refresh; the others' counts in turn, a few a refresh.\n"
    "A 401 or 403 stops polling (repeated bad keys lock the user out): r tries again. Esc closes this."
)
INTERRUPTED = 130


def shown(value: Any) -> Text:
    """A cell: server text made harmless, a missing figure as a dash."""
    if value is None:
        return Text("–")
    return Text(escape_controls(str(value)))


LISTENER_COLUMNS = [
    ("name", "NAME"),
    ("status", "STATUS"),  # 2024-08 only
    ("state", "LIVENESS"),
    ("successes", "OK"),
    ("failures", "FAILED"),
    ("acknowledged", "ACKED"),
    ("missed", "MISSED"),
    ("last_failure_status", "LAST FAILURE"),  # 2022-05 only
    ("last_failure_at", "FAILED AT"),  # 2022-05 only
]


QUEUE_COLUMNS = ["NAME", "MESSAGES", "ADDED/MIN", "LAST 5 MIN", "LISTENERS", "FAILING"]


def fill(table: DataTable, titles: list[str], rows: list[tuple[str | None, list[Text]]]) -> None:
    """A table's columns and rows anew. Widths are given, not measured: a DataTable refilled each
    refresh kept the widths of its first rows (names cut to the title's width)."""
    table.clear(columns=True)
    for at, title in enumerate(titles):
        table.add_column(title, width=max([len(title), *(cells[at].cell_len for _, cells in rows)]))
    for key, cells in rows:
        table.add_row(*cells, key=key)


class TopApp(App[None]):
    """Queues, the selected queue's listeners, recent events; a header and the keys."""

    AUTO_FOCUS = None  # nothing takes the keys until `/` opens the filter
    CSS = """
    #header { height: 2; }
    #queues { height: 1fr; }
    #listeners-title { height: 1; margin-top: 1; }
    #listeners { height: 1fr; }
    #events { height: 8; }
    #filter { display: none; }
    #help { display: none; height: auto; }
    """
    BINDINGS = [
        Binding("q", "quit_view", "quit"),
        Binding("r", "refresh_now", "refresh now"),
        Binding("slash", "filter", "filter"),
        Binding("question_mark", "help", "help"),
        Binding("escape", "close", show=False),
        Binding("down,j", "move(1)", show=False),
        Binding("up,k", "move(-1)", show=False),
        Binding("ctrl+c", "interrupt", show=False, priority=True),
    ]

    def __init__(self, poller: Poller, interval: float):
        super().__init__()
        self.poller = poller
        self.interval = interval
        self.wake = asyncio.Event()
        self.filter = ""
        self.order: list[str] = []  # the queue ids as the table shows them
        self.last: Snapshot | None = None
        self.started = 0.0  # when the last refresh began

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        yield Static(id="help")
        yield Input(placeholder="filter queues by name (Enter or Esc to close)", id="filter")
        queues: DataTable = DataTable(id="queues", cursor_type="row", zebra_stripes=False)
        listeners: DataTable = DataTable(id="listeners", cursor_type="none")
        for table in (queues, listeners):
            table.can_focus = False  # the keys are the view's: j/k and / must never be eaten by a table
        yield queues
        yield Static(id="listeners-title")
        yield listeners
        yield Static(id="events")
        yield Static(KEYS, id="footer")

    def on_mount(self) -> None:
        self.query_one("#header", Static).update(Text(f"discue top · {self.poller.endpoint} · connecting…"))
        self.run_worker(self.poll(), exclusive=True)

    async def poll(self) -> None:
        while True:
            # Never faster than MAX_RATE requests a second, however often r or a new selection asks.
            spacing = self.poller.last_calls / MAX_RATE - (time.monotonic() - self.started)
            if spacing > 0:
                await asyncio.sleep(spacing)
            self.started = time.monotonic()
            self.wake.clear()  # what asks for a refresh from here on (r, a new selection) gets one next
            self.draw(await self.poller.refresh())
            if self.poller.stopped:
                await self.wake.wait()
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.poller.delay(self.interval))
            self.wake.clear()

    # -- drawing

    def draw(self, snap: Snapshot) -> None:
        self.last = snap
        if not self.is_running:
            return  # a refresh that ended while `q` takes the screen down: nothing left to draw on
        self.draw_header(snap)
        self.draw_queues(snap)
        self.draw_listeners(snap)
        self.draw_events(snap)

    def draw_header(self, snap: Snapshot) -> None:
        when = time.strftime("%H:%M:%S", time.localtime(snap.refreshed_at)) if snap.refreshed_at else "never"
        head = Text(
            f"discue top · {escape_controls(snap.endpoint)} · generation {snap.generation} · refreshed {when}"
            f" · {snap.calls} API calls/refresh, every {self.interval:g}s"
        )
        if snap.stopped:
            head.append(f"\nPOLLING STOPPED: {escape_controls(snap.error or '')}", style="bold red")
        elif snap.error:
            wait = self.poller.delay(self.interval)
            head.append(f"\nerror: {escape_controls(snap.error)}; retrying in {wait:g}s", style="red")
        elif self.filter:
            head.append(f"\nfilter: {escape_controls(self.filter)}")
        self.query_one("#header", Static).update(head)

    def draw_queues(self, snap: Snapshot) -> None:
        table = self.query_one("#queues", DataTable)
        needle = self.filter.casefold()
        rows = [r for r in snap.queue_rows() if needle in str(r["name"]).casefold() or needle in r["id"].casefold()]
        self.order = [r["id"] for r in rows]
        if self.order and self.poller.selected not in self.order:
            self.poller.selected = self.order[0]
            self.wake.set()  # its listeners, now rather than in an interval
        lines = []
        for r in rows:
            failing = shown(r["failing"])
            if r["failing"]:
                failing.stylize("bold red")
            cells = [shown(r["name"]), shown(r["messages"]), shown(r["added_per_minute"])]
            lines.append((r["id"], [*cells, Text(sparkline(r["history"])), shown(r["listeners"]), failing]))
        fill(table, QUEUE_COLUMNS, lines)
        if self.poller.selected in self.order:
            table.move_cursor(row=self.order.index(self.poller.selected))

    def draw_listeners(self, snap: Snapshot) -> None:
        names = {q.id: q.name for q in snap.queues}
        title = f"Listeners of {names[snap.selected]}" if snap.selected in names else "No queue selected"
        self.query_one("#listeners-title", Static).update(Text(escape_controls(title), style="bold"))
        table = self.query_one("#listeners", DataTable)
        # A column the generation cannot fill is left out (2023-04 dropped the last failure; 2024-08 has status).
        present = [(key, title) for key, title in LISTENER_COLUMNS if any(key in r for r in snap.listeners)]
        if not present:
            present = [(key, title) for key, title in LISTENER_COLUMNS if key in ("name", "state")]
        rows = []
        for r in snap.listeners:
            cells = []
            for key, _ in present:
                value = r.get(key)
                if key == "last_failure_at":
                    value = timestamp(value, "%H:%M:%S") or value
                cells.append(shown(value))
            if r.get("failing"):
                cells[0] = Text(f"{cells[0].plain} (failing)", style="bold red")
            rows.append((None, cells))  # no key: two listeners a server lists with one id must not end the view
        fill(table, [title for _, title in present], rows)

    def draw_events(self, snap: Snapshot) -> None:
        lines = Text("Recent events" if snap.generation not in ("2022-05", "unknown") else "Changes seen")
        for event in snap.events[-6:]:
            if event.get("type") == "seen":
                line = f"{event['stored_at'][11:19]}  {event['text']}"
            else:
                when = timestamp(event.get("stored_at"), "%H:%M:%S") or ""
                about = event.get("resource_name") or event.get("resource_id") or ""
                inside = event.get("queue_name") and event.get("resource") != "queue"
                where = f" in {event['queue_name']}" if inside else ""
                line = f"{when}  {event.get('type')}  {about}{where}"
            lines.append("\n" + escape_controls(line))
        self.query_one("#events", Static).update(lines)

    # -- keys

    def action_quit_view(self) -> None:
        self.exit(return_code=0)

    def action_interrupt(self) -> None:
        self.exit(return_code=INTERRUPTED)

    def action_refresh_now(self) -> None:
        self.poller.retry()
        self.wake.set()

    def action_move(self, step: int) -> None:
        if not self.order:
            return
        at = self.order.index(self.poller.selected) if self.poller.selected in self.order else 0
        chosen = self.order[max(0, min(len(self.order) - 1, at + step))]
        if chosen != self.poller.selected:
            self.poller.selected = chosen
            self.query_one("#queues", DataTable).move_cursor(row=self.order.index(chosen))
            self.query_one("#listeners", DataTable).clear()
            self.wake.set()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_help(self) -> None:
        box = self.query_one("#help", Static)
        box.update(Text(HELP))
        box.display = not box.display

    def action_close(self) -> None:
        self.query_one("#help", Static).display = False
        box = self.query_one("#filter", Input)
        box.display = False
        self.set_focus(None)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.filter = event.value
        if self.last is not None:
            self.draw(self.last)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_close()
