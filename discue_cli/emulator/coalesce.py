"""One send per reply: uvicorn writes a reply's head and its body apart, and each write is a send of
its own; on loopback each send also runs the receiver's network stack, a third of what a small reply
costs the server. Here what a connection writes within one turn of the event loop leaves in one send,
at the end of that turn (a reply's head and body are written in the same turn)."""

from __future__ import annotations

import asyncio
from typing import Any


class OneSendPerTurn:
    """A transport whose writes are joined until the loop's next turn; the rest is the transport's own."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self.transport = transport
        self.loop = loop
        self.pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self.pending:
            self.loop.call_soon(self.flush)
        self.pending.append(bytes(data))

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        if self.pending:
            data = b"".join(self.pending)
            self.pending.clear()
            if not self.transport.is_closing():
                self.transport.write(data)

    def close(self) -> None:
        self.flush()  # what was written goes out before the FIN, as it would have
        self.transport.close()

    def abort(self) -> None:
        self.pending.clear()
        self.transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


def protocol_class() -> type[asyncio.Protocol]:
    """uvicorn's HTTP/1.1 protocol (httptools, else h11), its transport writing once per turn."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as Base
    except ImportError:  # pragma: no cover - httptools is a dependency
        from uvicorn.protocols.http.h11_impl import H11Protocol as Base

    class Coalescing(Base):  # type: ignore[misc, valid-type]
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(OneSendPerTurn(transport, asyncio.get_running_loop()))  # type: ignore[arg-type]

    return Coalescing
