"""OneSendPerTurn: what a connection writes within one turn of the event loop leaves in one write, at
the end of that turn. Driven in a real event loop over a transport that records what reaches it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from discue_cli.emulator.app import create_app
from discue_cli.emulator.coalesce import OneSendPerTurn, protocol_class
from tests.emulator.serving import ROOT_KEY


class Recording(asyncio.Transport):
    """A transport that keeps what it is given and what was asked of it."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.calls: list[str] = []
        self.closing = False
        self.extra = {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8080)}

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))  # even when closing: the tests look

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.calls.append("close")
        self.closing = True

    def abort(self) -> None:
        self.calls.append("abort")
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.extra.get(name, default)

    def pause_reading(self) -> None:
        self.calls.append("pause_reading")

    def resume_reading(self) -> None:
        self.calls.append("resume_reading")


def in_loop(scenario: Callable[[OneSendPerTurn, Recording], Awaitable[None]]) -> Recording:
    async def main() -> Recording:
        real = Recording()
        await scenario(OneSendPerTurn(real, asyncio.get_running_loop()), real)
        return real

    return asyncio.run(main())


async def next_turn() -> None:
    """Let the loop run what was scheduled before us (a flush asked for in this turn)."""
    await asyncio.sleep(0)


def test_writes_in_one_turn_leave_as_one_write_at_the_end_of_the_turn():
    async def scenario(coalescing: OneSendPerTurn, real: Recording) -> None:
        coalescing.write(b"HTTP/1.1 200 OK\r\n\r\n")
        coalescing.writelines([b"{", memoryview(b'"a":1')])
        coalescing.write(bytearray(b"}"))
        assert real.writes == []  # nothing yet: the turn is not over
        await next_turn()
        assert real.writes == [b'HTTP/1.1 200 OK\r\n\r\n{"a":1}']

    assert in_loop(scenario).writes == [b'HTTP/1.1 200 OK\r\n\r\n{"a":1}']


def test_writes_in_separate_turns_stay_separate():
    async def scenario(coalescing: OneSendPerTurn, real: Recording) -> None:
        coalescing.write(b"first")
        await next_turn()
        coalescing.write(b"second")
        await next_turn()
        await next_turn()

    assert in_loop(scenario).writes == [b"first", b"second"]


def test_what_is_written_is_copied_when_written():
    """A buffer its writer reuses after write() must not change what is sent."""

    async def scenario(coalescing: OneSendPerTurn, real: Recording) -> None:
        buffer = bytearray(b"abc")
        coalescing.write(buffer)
        buffer[:] = b"xyz"
        await next_turn()

    assert in_loop(scenario).writes == [b"abc"]


def test_close_sends_what_is_pending_before_closing():
    async def scenario(coalescing: OneSendPerTurn, real: Recording) -> None:
        coalescing.write(b"last reply")
        coalescing.close()
        assert (real.writes, real.calls) == ([b"last reply"], ["close"])
        await next_turn()  # the flush asked for by the write finds nothing left to send

    recorded = in_loop(scenario)
    assert (recorded.writes, recorded.calls) == ([b"last reply"], ["close"])


def test_abort_drops_what_is_pending():
    async def scenario(coalescing: OneSendPerTurn, real: Recording) -> None:
        coalescing.write(b"never sent")
        coalescing.abort()
        assert coalescing.pending == []
        await next_turn()

    recorded = in_loop(scenario)
    assert (recorded.writes, recorded.calls) == ([], ["abort"])


def test_nothing_is_written_to_a_transport_that_is_closing():
    """The peer went away within the turn: the pending bytes are dropped, not written to a dead transport."""

    async def scenario(coalescing: OneSendPerTurn, real: Recording) -> None:
        coalescing.write(b"too late")
        real.closing = True
        await next_turn()
        assert coalescing.pending == []

    assert in_loop(scenario).writes == []


def test_everything_else_is_the_real_transports():
    async def scenario(coalescing: OneSendPerTurn, real: Recording) -> None:
        assert coalescing.get_extra_info("peername") == ("127.0.0.1", 50000)
        assert coalescing.get_extra_info("sslcontext") is None
        assert coalescing.is_closing() is False
        coalescing.pause_reading()
        coalescing.resume_reading()
        real.closing = True
        assert coalescing.is_closing() is True

    assert in_loop(scenario).calls == ["pause_reading", "resume_reading"]


def test_the_servers_protocol_writes_a_reply_head_and_body_in_one_write(tmp_path):
    """uvicorn's protocol writes the head and the body of a reply apart; the class `emulator serve`
    runs hands it a OneSendPerTurn, so both reach the socket in one write."""
    import uvicorn
    from uvicorn.server import ServerState

    app = create_app(tmp_path / "emu.sqlite3", require_key=True, api_key=ROOT_KEY)

    async def main() -> Recording:
        config = uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)
        protocol = protocol_class()(config, ServerState(), {})
        real = Recording()
        protocol.connection_made(real)
        protocol.data_received(b"GET /v1/queues HTTP/1.1\r\nHost: t\r\nX-API-KEY: %s\r\n\r\n" % ROOT_KEY.encode())
        deadline = time.monotonic() + 3
        while not real.writes:
            assert time.monotonic() < deadline, "no reply"
            await asyncio.sleep(0.001)
        for _ in range(10):  # any further write would come within these turns
            await next_turn()
        protocol.connection_lost(None)
        return real

    try:
        recorded = asyncio.run(main())
    finally:
        app.state.store.close()
    assert len(recorded.writes) == 1
    head, _, body = recorded.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\ncontent-length: %d" % len(body) in head
    assert body.startswith(b'{"queues":[]')
