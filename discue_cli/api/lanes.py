"""A batch sender's connection: each request leaves in one write.

httpcore writes a request's headers and its body separately: two sends, and on loopback each send
runs the receiver's network stack too (a third of a batch's client CPU). Holding writes until the
reply is read (an HTTP/1.1 client always reads after it has written a request) sends them as one.
"""

from __future__ import annotations

import contextlib
from typing import Any

import httpcore

FLUSH_AT = 64 * 1024  # a large body still leaves in pieces this size


def coalesce_writes(transport: Any) -> None:
    """Make an httpx.AsyncHTTPTransport's connections write each request at once; where this
    httpcore has no place for it, the transport stays as it was (two writes, same result)."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.AsyncNetworkBackend):
        pool._network_backend = CoalescingBackend(backend)  # httpx offers no parameter for it


class CoalescingBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend):
        self.inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        return CoalescingStream(await self.inner.connect_tcp(host, port, timeout, local_address, socket_options))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        return CoalescingStream(await self.inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class CoalescingStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream):
        self.inner = inner
        self.pending: list[bytes] = []
        self.size = 0
        self.timeout: float | None = None

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.pending.append(buffer)
        self.size += len(buffer)
        self.timeout = timeout
        if self.size >= FLUSH_AT:
            await self.flush()

    async def flush(self) -> None:
        if self.pending:
            data = b"".join(self.pending)
            self.pending.clear()
            self.size = 0
            await self.inner.write(data, self.timeout)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with contextlib.suppress(httpcore.WriteError):  # as httpcore does: a server that closed early
            await self.flush()  # may still have sent its reply
        return await self.inner.read(max_bytes, timeout)

    async def aclose(self) -> None:
        self.pending.clear()
        await self.inner.aclose()

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        await self.flush()
        return CoalescingStream(await self.inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)
