"""The live view of `discue top`, driven headlessly by Textual's pilot against the local discue, and
the real command in a pseudo-terminal: q, Ctrl-C and the terminal given back."""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import select
import signal
import subprocess
import sys
import termios
import time

import httpx
import pytest

from discue_cli.api import messages as messages_api
from discue_cli.top.model import Poller
from discue_cli.top.view import TopApp
from tests.commands.top.test_model import local_client, remote
from tests.commands.top.test_top import make_orgs
from tests.conftest import clean_env

TEXT = re.compile(r'<text [^>]*x="([\d.]+)"[^>]*textLength="([\d.]+)"[^>]*line-(\d+)\)">(.*?)</text>', re.S)


def screen(app: TopApp) -> list[str]:
    """The screen's lines as text, read from Textual's own screenshot of it (an SVG whose text runs
    are placed by x; runs of blanks may be drawn as background only, so each run goes to its column)."""
    lines: dict[int, dict[int, str]] = {}
    width = None
    for match in TEXT.finditer(app.export_screenshot()):
        text = html.unescape(match[4]).replace("\xa0", " ")
        if width is None and len(text) > 1:
            width = float(match[2]) / len(text)
        lines.setdefault(int(match[3]), {})[round(float(match[1]) / (width or 12.2))] = text
    shown = []
    for _, runs in sorted(lines.items()):
        line = ""
        for column, text in sorted(runs.items()):
            line = line.ljust(column) + text
        shown.append(line.rstrip())
    return shown


def listener_columns(lines: list[str]) -> list[str]:
    """The column titles of the listeners' table (under the `Listeners of ...` line)."""
    at = next(i for i, line in enumerate(lines) if line.startswith("Listeners of "))
    return lines[at + 1].split()


def cells(lines: list[str], name: str) -> list[str]:
    """The cells of the table row that starts with `name`."""
    row = next((line for line in lines if line.split()[:1] == [name]), "")
    return row.split()


async def until(pilot, condition, what: str, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never came; the screen:\n" + "\n".join(screen(pilot.app)))
        await pilot.pause(0.05)


def test_the_view_shows_both_queues_a_count_that_changes_and_a_failing_listener(local):
    orders, _, _ = make_orgs(local)

    async def go() -> TopApp:
        async with local_client() as client:
            app = TopApp(Poller(client, "local discue"), 30.0)  # refreshes come from `r` here
            async with app.run_test(size=(120, 40)) as pilot:
                await until(pilot, lambda: cells(screen(app), "mails"), "the queues")
                lines = screen(app)
                assert re.fullmatch(
                    r"discue top · local discue · generation 2023-04 · refreshed \d\d:\d\d:\d\d"
                    r" · 5 API calls/refresh, every 30s",
                    lines[0],
                )
                assert cells(lines, "orders") == ["orders", "2", "2", "▁▁▁▁▁▁▁▁▁█", "1", "1"]
                assert cells(lines, "mails") == ["mails", "0", "0", "▁▁▁▁▁▁▁▁▁▁", "0", "0"]
                assert "Listeners of orders" in lines
                assert listener_columns(lines) == ["NAME", "LIVENESS", "OK", "FAILED", "ACKED", "MISSED"]
                assert cells(lines, "mailer") == ["mailer", "(failing)", "unstable", "0", "1", "0", "0"]
                for n in range(3):
                    await messages_api.add_message(client, orders, json.dumps({"more": n}))
                await pilot.press("r")
                await until(pilot, lambda: cells(screen(app), "orders")[1:3] == ["5", "5"], "the new count")
                assert "message_added" in screen(app)[-3]
                await pilot.press("q")
            return app

    assert asyncio.run(go()).return_code == 0


@pytest.mark.parametrize(
    ("generation", "columns"),
    [
        ("2022-05", ["NAME", "LIVENESS", "OK", "FAILED", "ACKED", "MISSED", "LAST", "FAILURE", "FAILED", "AT"]),
        ("2023-04", ["NAME", "LIVENESS", "OK", "FAILED", "ACKED", "MISSED"]),
        ("2024-08", ["NAME", "STATUS", "LIVENESS", "OK", "FAILED", "ACKED", "MISSED"]),
    ],
)
def test_listener_columns_a_generation_cannot_fill_are_left_out(local, generation, columns):
    make_orgs(local)

    async def go() -> list[str]:
        async with local_client(generation) as client:
            app = TopApp(Poller(client, "local discue"), 30.0)
            async with app.run_test(size=(140, 40)) as pilot:
                await until(pilot, lambda: cells(screen(app), "mailer"), "the listener")
                return listener_columns(screen(app))

    assert asyncio.run(go()) == columns


def test_j_and_k_select_a_queue_slash_filters_question_mark_helps(local):
    make_orgs(local)

    async def go() -> None:
        async with local_client() as client:
            app = TopApp(Poller(client, "local discue"), 30.0)
            async with app.run_test(size=(120, 40)) as pilot:
                await until(pilot, lambda: cells(screen(app), "mailer"), "the listener of orders")
                await pilot.press("j")
                await until(pilot, lambda: not cells(screen(app), "mailer"), "mails' (no) listeners")
                await pilot.press("k")
                await until(pilot, lambda: cells(screen(app), "mailer"), "orders' listener again")
                await pilot.press("slash", "m", "a", "i", "enter")
                await until(pilot, lambda: not cells(screen(app), "orders"), "the filter")
                assert cells(screen(app), "mails") and screen(app)[1] == "filter: mai"
                await until(pilot, lambda: "Listeners of mails" in screen(app), "the filtered queue selected")
                await pilot.press("question_mark")
                await until(pilot, lambda: screen(app)[2].startswith("Queues: messages held"), "the help")
                await pilot.press("escape")
                await until(pilot, lambda: not screen(app)[2].startswith("Queues: messages held"), "the help closed")
                await pilot.press("q")

    asyncio.run(go())


def routed(routes: dict[str, object], sent: list[str]) -> httpx.MockTransport:
    """Replies by path (a callable route answers itself); every request is counted in `sent`."""

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        reply = routes.get(request.url.path, routes.get("*"))
        if callable(reply):
            reply = reply()
        status, body = reply
        return httpx.Response(status, content=json.dumps(body).encode(), headers={"content-type": "application/json"})

    return httpx.MockTransport(handle)


def test_a_401_stops_polling_says_so_and_r_tries_again():
    sent: list[str] = []
    answer = {"now": (401, {"title": "Unauthorized", "status": 401})}
    routes = {"*": lambda: answer["now"]}

    async def go() -> None:
        async with remote(routed(routes, sent)) as client:
            app = TopApp(Poller(client, "http://api.test/v1"), 0.5)
            async with app.run_test(size=(120, 30)) as pilot:
                await until(pilot, lambda: "POLLING STOPPED" in screen(app)[1], "the stop")
                assert screen(app)[1] == (
                    "POLLING STOPPED: Unauthorized: polling stopped (repeated bad keys lock a user out); r tries again"
                )
                await pilot.pause(1.5)  # three intervals: not one more request
                assert sent == ["/v1/queues"]
                answer["now"] = (200, {"queues": [{"id": "q1", "name": "orders"}], "listeners": [], "messages": []})
                await pilot.press("r")
                await until(pilot, lambda: cells(screen(app), "orders"), "the queue after r")
                assert "POLLING STOPPED" not in "\n".join(screen(app))

    asyncio.run(go())


def test_a_server_gone_is_shown_and_retried_with_back_off_never_a_traceback():
    sent: list[str] = []

    def refused():
        raise httpx.ConnectError("refused")

    async def go() -> None:
        async with remote(routed({"*": refused}, sent)) as client:
            app = TopApp(Poller(client, "http://api.test/v1"), 0.5)
            async with app.run_test(size=(120, 30)) as pilot:
                await until(pilot, lambda: len(sent) >= 2, "a second try")
                assert screen(app)[1].startswith("error: could not connect to http://api.test: refused; retrying in ")
                await pilot.press("q")

    asyncio.run(go())


def test_listeners_listed_twice_with_one_id_are_both_shown():
    twin = {"id": "l1", "name": "twin", "liveness": {"state": "stable"}, "messages": {}}
    routes = {
        "/v1/queues": (200, {"queues": [{"id": "q1", "name": "orders"}]}),
        "/v1/listeners": (200, {"listeners": [{**twin, "queue_id": "q1"}] * 2}),
        "*": (200, {"messages": [], "listeners": [twin, twin]}),
    }

    async def go() -> list[str]:
        async with remote(routed(routes, [])) as client:
            app = TopApp(Poller(client, "http://api.test/v1"), 30.0)
            async with app.run_test(size=(120, 30)) as pilot:
                await until(pilot, lambda: cells(screen(app), "twin"), "the listeners")
                return screen(app)

    assert [line.split()[:2] for line in asyncio.run(go()) if line.startswith(" twin")] == [["twin", "stable"]] * 2


def test_server_text_is_shown_escaped_never_as_markup_or_control_sequences():
    evil = "evil\x1b[2J[bold red]x[/]"
    routes = {
        "/v1/queues": (200, {"queues": [{"id": "q1", "name": evil}]}),
        "*": (200, {"messages": [], "listeners": []}),
    }

    async def go() -> list[str]:
        async with remote(routed(routes, [])) as client:
            app = TopApp(Poller(client, "http://api.test/v1"), 30.0)
            async with app.run_test(size=(120, 30)) as pilot:
                await until(pilot, lambda: any("evil" in line for line in screen(app)), "the queue")
                return screen(app)

    assert cells(asyncio.run(go()), "evil\\x1b[2J[bold") == [
        "evil\\x1b[2J[bold",
        "red]x[/]",
        "0",
        "0",
        "▁▁▁▁▁▁▁▁▁▁",
        "0",
        "0",
    ]


# -- the real command in a pseudo-terminal


class Terminal:
    """`discue --local top` on a pty of its own; what it drew, and the pty's settings before."""

    def __init__(self):
        import fcntl
        import pty
        import struct

        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
        self.before = termios.tcgetattr(self.slave)
        env = {**clean_env(), "DISCUE_LOCAL_DB": os.environ["DISCUE_LOCAL_DB"], "TERM": "xterm-256color"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "discue_cli", "--local", "top"],
            stdin=self.slave,
            stdout=self.slave,
            stderr=self.slave,
            env=env,
            start_new_session=True,
        )
        self.output = b""

    def read_until(self, condition, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        while not condition() and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:
                    return

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def terminal(local):
    make_orgs(local)
    started = Terminal()
    yield started
    started.close()


@pytest.mark.parametrize(("stop", "code"), [(b"q", 0), (b"\x03", 130), (signal.SIGTERM, 143)])
def test_q_exits_0_ctrl_c_130_sigterm_143_each_giving_the_terminal_back(terminal, stop, code):
    terminal.read_until(lambda: b"mails" in terminal.output)
    assert b"mails" in terminal.output, terminal.output[-2000:]
    if isinstance(stop, bytes):
        os.write(terminal.master, stop)  # a key, as typed (Ctrl-C reaches a raw-mode terminal as a key)
    else:
        terminal.process.send_signal(stop)
    terminal.read_until(lambda: terminal.process.poll() is not None)
    assert terminal.process.wait(timeout=30) == code
    terminal.read_until(lambda: False, within=0.2)  # the last bytes it wrote
    assert termios.tcgetattr(terminal.slave) == terminal.before  # echo and line mode are back
    assert b"\x1b[?1049l" in terminal.output  # the alternate screen was left
    assert b"Traceback" not in terminal.output
    assert terminal.output.endswith(b"Interrupted.\r\n") == (code != 0)
