"""A batch sender's connection ("lane"): one keep-alive connection, driven straight on asyncio.

Around the bytes, httpx's stack spent most of a batch's client CPU: anyio wraps every socket read
and write in a cancel scope and a deadline, httpcore's anyio locks yield to the event loop on each
acquire, and the pool's bookkeeping (events, shields, a socket query) runs on every request. A lane
has one sender, one connection and one request at a time, so it needs none of that. It keeps
httpcore's HTTP/1.1 connection (h11, the same errors, the same reuse rules) on a stream of our own:

- `SocketStream` is an asyncio.Protocol: the loop hands it what arrives, a read takes from that
  buffer, and writes are held until the next read so that a request leaves in one send (httpcore
  writes the headers and the body apart; on loopback each send runs the receiver's network stack).
- `OneConnection` takes the place of httpx's connection pool: it opens the connection (TLS with the
  pool's own SSL context) and opens a new one where the pool would: when the server closed the idle
  one, or it idled past the keep-alive expiry.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import Any

import httpcore

FLUSH_AT = 64 * 1024  # a large body still leaves in pieces this size
READ_LIMIT = 256 * 1024  # stop reading from the socket while this much waits unread


class SocketStream(asyncio.Protocol, httpcore.AsyncNetworkStream):
    """A TCP (or TLS) connection as httpcore sees it, with the errors httpcore's anyio backend raises."""

    def __init__(self) -> None:
        self.transport: Any = None
        self.received = bytearray()
        self.at_eof = False
        self.lost: Exception | None = None
        self.closed = False
        self.waiter: asyncio.Future[None] | None = None  # a read waiting for data
        self.drained: asyncio.Future[None] | None = None  # a write waiting for the socket to take more
        self.paused = False  # the transport has more to send than its buffer limit
        self.reading_paused = False
        self.pending: list[bytes] = []
        self.pending_size = 0

    # asyncio.Protocol: the loop's side

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.received += data
        if len(self.received) > READ_LIMIT and not self.reading_paused:
            self.reading_paused = True
            self.transport.pause_reading()
        self.wake()

    def eof_received(self) -> bool:
        self.at_eof = True
        self.wake()
        return False  # nothing more to send once the server has finished either: close

    def connection_lost(self, exc: Exception | None) -> None:
        self.at_eof = True
        self.lost = exc
        self.wake()
        self.paused = False
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)

    def wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    # httpcore.AsyncNetworkStream: the connection's side

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self.pending:
            with contextlib.suppress(httpcore.WriteError):  # as httpcore does: a server that closed early
                await self.flush()  # may still have sent its reply
        if not self.received and not self.at_eof:
            if self.closed:
                raise httpcore.ReadError("the connection is closed")
            self.waiter = asyncio.get_running_loop().create_future()
            await self.wait(self.waiter, timeout, httpcore.ReadTimeout)
        if self.received:
            if len(self.received) <= max_bytes:
                data = bytes(self.received)
                self.received.clear()
            else:
                data = bytes(self.received[:max_bytes])
                del self.received[:max_bytes]
            if self.reading_paused and len(self.received) <= READ_LIMIT // 2:
                self.reading_paused = False
                self.transport.resume_reading()
            return data
        if self.lost is not None:
            raise httpcore.ReadError(str(self.lost) or type(self.lost).__name__) from self.lost
        return b""  # the server closed its side: httpcore tells "disconnected" from "done"

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        self.pending.append(buffer)
        self.pending_size += len(buffer)
        if self.pending_size >= FLUSH_AT:
            await self.flush(timeout)

    async def flush(self, timeout: float | None = None) -> None:
        data = b"".join(self.pending) if len(self.pending) > 1 else self.pending[0]
        self.pending.clear()
        self.pending_size = 0
        if self.closed or self.lost is not None or self.transport.is_closing():
            raise httpcore.WriteError("the connection was closed") from self.lost
        self.transport.write(data)
        if self.paused:
            self.drained = asyncio.get_running_loop().create_future()
            await self.wait(self.drained, timeout, httpcore.WriteTimeout)
            if self.lost is not None:
                raise httpcore.WriteError(str(self.lost)) from self.lost

    @staticmethod
    async def wait(future: asyncio.Future[None], timeout: float | None, expired: type[Exception]) -> None:
        if timeout is None:
            await future
            return
        handle = asyncio.get_running_loop().call_later(timeout, future.cancel)
        try:
            await future
        except asyncio.CancelledError:
            if future.cancelled() and not handle.cancelled() and asyncio.current_task().cancelling() == 0:
                raise expired(f"no progress within {timeout:g}s") from None
            raise
        finally:
            handle.cancel()

    async def aclose(self) -> None:
        self.closed = True
        self.pending.clear()
        if self.transport is not None:
            self.transport.close()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        plain = self.transport
        try:
            async with asyncio.timeout(timeout):
                self.transport = await loop.start_tls(plain, self, ssl_context, server_hostname=server_hostname)
        except BaseException as exc:
            plain.close()  # the handshake did not finish: failed, timed out or cancelled
            if isinstance(exc, TimeoutError):
                raise httpcore.ConnectTimeout(f"no TLS handshake within {timeout:g}s") from None
            if isinstance(exc, (OSError, EOFError)):  # ssl.SSLError is an OSError
                raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
            raise
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # Idle and readable means the server closed it (or broke HTTP): what the pool asks.
            if self.received or self.at_eof:
                return True
            return socket_readable(self.transport.get_extra_info("socket"))
        name = EXTRA_INFO.get(info)
        return self.transport.get_extra_info(name) if name and self.transport else None


EXTRA_INFO = {"ssl_object": "ssl_object", "client_addr": "sockname", "server_addr": "peername", "socket": "socket"}


def socket_readable(sock: Any) -> bool:
    """httpcore's test of an idle connection (one poll, no read): readable, or gone, means closed."""
    import select

    fd = sock.fileno() if sock is not None else -1
    if fd < 0:
        return True
    if not hasattr(select, "poll"):  # Windows
        return bool(select.select([fd], [], [], 0)[0])
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


async def connect(host: str, port: int, timeout: float | None, socket_options: Any = None) -> SocketStream:
    """A TCP connection, with httpcore's errors (ConnectError carries the OSError as its cause)."""
    loop = asyncio.get_running_loop()
    stream = SocketStream()
    try:
        async with asyncio.timeout(timeout):
            await loop.create_connection(
                lambda: stream,
                host,
                port,
                happy_eyeballs_delay=0.25,  # as anyio does: an address that hangs does not hold up the next
            )
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"no connection within {timeout:g}s") from None
    except OSError as exc:
        raise httpcore.ConnectError(str(exc)) from exc
    sock = stream.transport.get_extra_info("socket")
    for option in socket_options or ():
        sock.setsockopt(*option)
    return stream


class LaneHTTP11Connection(httpcore.AsyncHTTP11Connection):
    """httpcore's HTTP/1.1 connection; its state lock an asyncio.Lock, which does not yield when free
    (anyio's does, twice a request). One sender per lane: the lock never waits."""

    def __init__(self, origin: httpcore.Origin, stream: httpcore.AsyncNetworkStream, keepalive_expiry: float | None):
        super().__init__(origin, stream, keepalive_expiry)
        if hasattr(self, "_state_lock"):
            self._state_lock = asyncio.Lock()


class OneConnection:
    """Stands in for an httpx transport's connection pool: one connection, opened again where the
    pool would open another (the server closed it while idle, or its keep-alive expired)."""

    def __init__(self, ssl_context: ssl.SSLContext | None, keepalive_expiry: float | None, socket_options: Any = None):
        self.ssl_context = ssl_context
        self.keepalive_expiry = keepalive_expiry
        self.socket_options = socket_options
        self.connection: httpcore.AsyncHTTP11Connection | None = None

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        connection = self.connection
        if connection is not None and (
            connection.is_closed() or connection.has_expired() or not connection.can_handle_request(request.url.origin)
        ):
            await connection.aclose()
            connection = None
        if connection is None:
            connection = self.connection = await self.open(request)
        try:
            return await connection.handle_async_request(request)
        except httpcore.ConnectionNotAvailable:
            # The pool's answer too: this connection is busy or closing, take a new one.
            await connection.aclose()
            self.connection = await self.open(request)
            return await self.connection.handle_async_request(request)

    async def open(self, request: httpcore.Request) -> httpcore.AsyncHTTP11Connection:
        """A connection as httpcore's AsyncHTTPConnection makes one for HTTP/1.1 (its TLS settings too)."""
        origin = request.url.origin
        timeout = request.extensions.get("timeout", {}).get("connect")
        host = origin.host.decode("ascii")
        stream: httpcore.AsyncNetworkStream = await connect(host, origin.port, timeout, self.socket_options)
        if origin.scheme == b"https":
            context = self.ssl_context if self.ssl_context is not None else httpcore.default_ssl_context()
            context.set_alpn_protocols(["http/1.1"])
            hostname = request.extensions.get("sni_hostname") or host
            stream = await stream.start_tls(context, server_hostname=hostname, timeout=timeout)
        return LaneHTTP11Connection(origin, stream, self.keepalive_expiry)

    async def aclose(self) -> None:
        if self.connection is not None:
            await self.connection.aclose()
            self.connection = None

    async def __aenter__(self) -> OneConnection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def lane_transport(verify: Any, keepalive_expiry: float) -> Any:
    """An httpx.AsyncHTTPTransport on one connection of its own: a OneConnection in place of its pool,
    with the pool's own SSL context and socket options. Where this httpx keeps no pool there, the
    transport as httpx makes it (slower, same results)."""
    import httpx

    one = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=keepalive_expiry)
    transport = httpx.AsyncHTTPTransport(verify=verify, limits=one)
    pool = getattr(transport, "_pool", None)
    if isinstance(pool, httpcore.AsyncConnectionPool) and hasattr(pool, "_ssl_context"):
        # httpx offers no parameter for it
        transport._pool = OneConnection(pool._ssl_context, keepalive_expiry, getattr(pool, "_socket_options", None))
    return transport
