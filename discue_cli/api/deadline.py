"""Socket waits capped by one deadline: the synchronous client's --timeout for the whole call.

httpx's own timeouts bound each socket wait alone (a reply trickled a byte at a time never trips
them), and a synchronous call has no event loop to cancel it from outside. So each connection pool
(the proxies' too) gets a network backend whose every connect, read and write waits at most until `until`.
"""

from __future__ import annotations

import math
import time
from typing import Any

import httpcore


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's synchronous sockets; no wait ends later than `until` (time.monotonic())."""

    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()
        self.until = math.inf

    def cap(self, timeout: float | None, expired: type[Exception]) -> float | None:
        remaining = self.until - time.monotonic()
        if remaining == math.inf:
            return timeout
        if remaining <= 0:
            raise expired("the call's deadline passed")
        return remaining if timeout is None else min(timeout, remaining)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        timeout = self.cap(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self.inner.connect_tcp(host, port, timeout, local_address, socket_options), self)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        timeout = self.cap(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self.inner.connect_unix_socket(path, timeout, socket_options), self)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, backend: DeadlineBackend):
        self.inner = inner
        self.backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self.backend.cap(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self.backend.cap(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
        timeout = self.backend.cap(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, timeout), self.backend)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


def install(client: Any) -> DeadlineBackend | None:
    """One DeadlineBackend in every connection pool of `client` (an httpx.Client): its own transport's
    and each proxy transport it mounted from the environment. None where one of them has no place
    for it (the caller then takes the asynchronous path, which bounds calls itself)."""
    mounts = getattr(client, "_mounts", None)
    transport = getattr(client, "_transport", None)
    if not isinstance(mounts, dict) or transport is None:
        return None
    pools = [getattr(t, "_pool", None) for t in (transport, *mounts.values()) if t is not None]
    if not all(isinstance(getattr(pool, "_network_backend", None), httpcore.SyncBackend) for pool in pools):
        return None
    backend = DeadlineBackend()
    for pool in pools:
        pool._network_backend = backend  # httpx offers no parameter for it; checked above
    return backend
