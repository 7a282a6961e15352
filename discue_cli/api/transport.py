"""A batch sender's transport: httpx's, built on httpcore's public pool with a network backend of ours that
counts each connection's reads, so that a reply already waiting before its request left is caught.

A server that writes a second complete reply after the first (or any bytes that parse as one) puts it in
the connection's buffer; on reuse, that stale reply would be taken as the next request's answer, and a
line the server never stored reported sent. A real reply cannot come before its request: if no read of
the connection happened between the request's head starting to leave and the reply's head being
complete, the reply was stale. That is a protocol violation: the connection is closed (httpcore closes one
whose reply was not read to its end) and the request's outcome is unknown (it did leave).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpcore
import httpx


class CountedStream(httpcore.AsyncNetworkStream):
    """A connection's stream, counting its reads."""

    def __init__(self, inner: httpcore.AsyncNetworkStream, backend: CountingBackend):
        self.inner = inner
        self.backend = backend
        self.reads = 0

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.reads += 1
        return await self.inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self.inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None):
        tls = CountedStream(await self.inner.start_tls(ssl_context, server_hostname, timeout), self.backend)
        self.backend.stream = tls
        return tls

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class CountingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's own backend, its streams counted; `stream` is the last one opened (a sender has one
    connection at a time)."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.stream: CountedStream | None = None

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Any = None) -> CountedStream:  # fmt: skip
        inner = await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)
        self.stream = CountedStream(inner, self)
        return self.stream

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None):
        inner = await self.inner.connect_unix_socket(path, timeout, socket_options)
        self.stream = CountedStream(inner, self)
        return self.stream

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def as_httpx(exc: Exception, request: httpx.Request) -> Exception:
    """httpx's exception of the same name as httpcore's (httpx maps them one to one, by name)."""
    for cls in type(exc).__mro__:
        if cls.__module__.split(".")[0] == "httpcore" and isinstance(getattr(httpx, cls.__name__, None), type):
            found = getattr(httpx, cls.__name__)
            if issubclass(found, httpx.TransportError):
                return found(str(exc), request=request)
    return exc


class Body(httpx.AsyncByteStream):
    def __init__(self, stream: Any, request: httpx.Request):
        self.stream = stream
        self.request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for part in self.stream:
                yield part
        except Exception as exc:
            raise as_httpx(exc, self.request) from exc

    async def aclose(self) -> None:
        await self.stream.aclose()


class SenderTransport(httpx.AsyncBaseTransport):
    """One connection (through `proxy`, when given), whose stale replies are refused (see the module)."""

    def __init__(self, ssl_context: Any, proxy: str | None = None, keepalive_expiry: float = 5.0):
        self.backend = CountingBackend()
        common: dict[str, Any] = dict(
            ssl_context=ssl_context if not isinstance(ssl_context, bool) else None,
            max_connections=1,
            max_keepalive_connections=1,
            keepalive_expiry=keepalive_expiry,
            network_backend=self.backend,
        )
        if proxy:
            self.pool: Any = httpcore.AsyncHTTPProxy(proxy_url=proxy, **common)
        else:
            self.pool = httpcore.AsyncConnectionPool(**common)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        extensions = dict(request.extensions)
        extensions["trace"] = self.watch(extensions.get("trace"))
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=extensions,
        )
        try:
            response = await self.pool.handle_async_request(core)
        except Exception as exc:
            raise as_httpx(exc, request) from exc
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=Body(response.stream, request),
            extensions=response.extensions,
        )

    def watch(self, trace: Any):
        """The request's trace, and the check: a read of the connection between the request's head
        leaving and the reply's head being whole."""
        reads_before: list[int] = []

        async def traced(event: str, info: Any) -> None:
            stream = self.backend.stream
            if event.endswith("send_request_headers.started") and stream is not None:
                reads_before.append(stream.reads)
            elif (
                event.endswith("receive_response_headers.complete")
                and reads_before
                and stream is not None
                and stream.reads == reads_before[-1]
            ):
                raise httpcore.RemoteProtocolError("a reply came before its request: the server broke HTTP")
            if trace is not None:
                await trace(event, info)

        return traced

    async def aclose(self) -> None:
        await self.pool.aclose()
