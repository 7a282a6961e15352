"""AsyncClient setup, X-API-KEY, timeouts, retries, and HTTP status -> exception."""

from __future__ import annotations

import asyncio
import email.utils
import json
import os
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import httpx

from discue_cli import __version__
from discue_cli.errors import ApiError, AuthError, DiscueError, NoResponseError, for_status

IDEMPOTENT = {"GET", "PUT", "DELETE", "HEAD", "OPTIONS"}  # the rest (POST, PATCH) get POST's rules
RETRY_STATUS_IDEMPOTENT = {429, 502, 503, 504}
RETRY_STATUS_POST = {429, 503}
MAX_WAIT = 20.0

HINTS = {
    401: "set a valid key with `discue auth login`, --api-key or DISCUE_API_KEY",
    403: "the key is not allowed here, or too many failed attempts locked it for a while",
    429: "the API is rate limiting this key; wait, or raise --retries",
}

Exchange = Callable[[str, str, str, float], None]


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def backoff(attempt: int, base: float, retry_after: float | None = None) -> float:
    """Exponential backoff with equal jitter, capped; a Retry-After wins when given."""
    if retry_after is not None:
        return min(MAX_WAIT, retry_after)
    ceiling = min(MAX_WAIT, base * (2**attempt))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def may_retry_failure(method: str, exc: httpx.TransportError) -> bool:
    """Whether a request that failed in transport is safe to send again."""
    if method not in IDEMPOTENT:
        # The server cannot have seen a request that never got a connection.
        return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
    return isinstance(exc, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError))


def root_cause(exc: BaseException) -> str:
    """The innermost OS-level reason ("Connection refused"), else httpx's own words."""
    seen = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno and seen.errno > 0:
            return os.strerror(seen.errno)
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror
        seen = seen.__cause__ or seen.__context__
    return str(exc).split("] ", 1)[-1] or "connection failed"


def describe_failure(exc: httpx.TransportError, origin: str, timeout: float) -> NoResponseError:
    """A one-line error for a request that got no usable response."""
    if isinstance(exc, httpx.TimeoutException):
        return NoResponseError(
            f"no response from {origin} within {timeout:g}s (timeout)",
            hint="raise --timeout, or check that the endpoint is up",
        )
    if isinstance(exc, httpx.ConnectError):
        reason = root_cause(exc)
        return NoResponseError(
            f"could not connect to {origin}: {reason}",
            hint="check --api-endpoint / DISCUE_API_ENDPOINT and your network",
        )
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return NoResponseError(f"the connection to {origin} was dropped before a complete reply")
    return NoResponseError(f"no usable response from {origin}: {type(exc).__name__}")


def error_from_response(response: httpx.Response) -> DiscueError:
    """The exception for an error reply, using the API's `title` when it sent one."""
    status = response.status_code
    title = None
    try:
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("title"), str) and body["title"].strip():
            title = body["title"].strip().splitlines()[0][:200]
    except (ValueError, UnicodeDecodeError):
        pass
    if title is None:
        try:
            title = HTTPStatus(status).phrase
        except ValueError:
            title = "HTTP error"
    return for_status(status)(title, status=status, hint=HINTS.get(status))


def parse_body(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a success reply; {} for an empty one."""
    if not response.content.strip():
        return {}
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            f"unexpected reply: HTTP {response.status_code} with a body that is not JSON",
            status=response.status_code,
        ) from None
    if not isinstance(body, dict):
        raise ApiError("unexpected reply: the JSON body is not an object", status=response.status_code)
    return body


class Client:
    """One API endpoint, one key, one pooled connection set."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
        on_exchange: Exchange | None = None,
        pretty: bool = False,
        concurrency: int = 8,
        backoff_base: float = 0.5,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        require_key: bool = True,
    ):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self.on_exchange = on_exchange
        self.pretty = pretty
        self.backoff_base = backoff_base
        self.sleep = sleep
        self.require_key = require_key
        self.closers: list[Callable[[], Any]] = []
        self.generation: Any = None  # the API generation in use (api.generations.Tracker), set by Context.client
        parts = urlsplit(self.base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        headers = {"Accept": "application/json", "User-Agent": f"discue-cli/{__version__}"}
        if api_key:
            headers["X-API-KEY"] = api_key
        self._http = httpx.AsyncClient(
            headers=headers,
            timeout=timeout,
            # Building the TLS context costs ~35 ms; a plain-http endpoint never uses it.
            verify=parts.scheme == "https",
            transport=transport,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            trust_env=transport is None,
        )

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        for close in self.closers:
            close()

    def url(self, path: str) -> str:
        return self.base_url + "/" + path.lstrip("/")

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send one call, retrying where safe; the reply's JSON object, or a DiscueError."""
        if self.require_key and not self.api_key:
            raise AuthError(
                "no API key",
                hint="set one with `discue auth login`, --api-key or DISCUE_API_KEY (or use --local)",
            )
        method = method.upper()
        query = dict(params or {})
        if self.pretty:
            query["pretty"] = "true"
        headers = {}
        if json_body is not None:
            content = json.dumps(json_body).encode("utf-8")
        if content is not None:
            headers["Content-Type"] = "application/json"
        retry_statuses = RETRY_STATUS_IDEMPOTENT if method in IDEMPOTENT else RETRY_STATUS_POST
        url = self.url(path)
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                response = await self._http.request(method, url, params=query or None, content=content, headers=headers)
            except httpx.TransportError as exc:
                self._log(method, url, query, type(exc).__name__, started)
                if attempt < self.retries and may_retry_failure(method, exc):
                    await self.sleep(backoff(attempt, self.backoff_base))
                    attempt += 1
                    continue
                raise describe_failure(exc, self.origin, self.timeout) from None
            self._log(method, url, query, str(response.status_code), started)
            if response.status_code in retry_statuses and attempt < self.retries:
                wait = backoff(attempt, self.backoff_base, retry_after_seconds(response.headers.get("Retry-After")))
                await self.sleep(wait)
                attempt += 1
                continue
            if response.status_code >= 400:
                raise error_from_response(response)
            if response.status_code >= 300:
                # Not followed: a redirect would resend the key to wherever it points.
                target = response.headers.get("Location", "elsewhere")
                raise ApiError(
                    f"the endpoint redirected to {target}",
                    status=response.status_code,
                    hint="point --api-endpoint / DISCUE_API_ENDPOINT at the final URL",
                )
            return parse_body(response)

    def _log(self, method: str, url: str, query: dict[str, Any], outcome: str, started: float) -> None:
        if self.on_exchange is None:
            return
        shown = url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
        self.on_exchange(method, shown, outcome, (time.perf_counter() - started) * 1000)
