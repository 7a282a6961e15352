"""The HTTP client: X-API-KEY, one deadline per call, retries, reply caps, and HTTP status -> exception.

One shape for every command: an httpx.AsyncClient, run under asyncio (commands/_common.run), extended
only through httpx's and httpcore's documented doors: `proxy=` (decided in api/proxy.py), `verify=`
(one TLS context), Limits, and the `trace` request extension that tells whether a request began to
leave. --timeout bounds the whole call by asyncio.timeout around each exchange, retries' waits
checked against the same deadline. The imports below are what every call needs; the rest loads where
it is used (email.utils for a Retry-After date...).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from discue_cli import __version__
from discue_cli.api import proxy
from discue_cli.errors import (
    ApiError,
    AuthError,
    DiscueError,
    NoResponseError,
    OutcomeUnknownError,
    for_status,
)
from discue_cli.redaction import redact_url

if TYPE_CHECKING:
    import ssl

IDEMPOTENT = {"GET", "PUT", "DELETE", "HEAD", "OPTIONS"}  # the rest (POST, PATCH) get POST's rules
RETRY_STATUS_IDEMPOTENT = {429, 502, 503, 504}
RETRY_STATUS_POST = {429, 503}
MAX_WAIT = 20.0
MAX_REPLY = 64 * 1024 * 1024  # decompressed: no API reply is near it; a gzip bomb stops here
SENDER_REPLY = 4 * 1024 * 1024  # a batch sender's reply: one message (the local discue takes 1 MiB bodies)
ACCEPT_ENCODING = "gzip, deflate"  # only what read_body decodes itself, within MAX_REPLY

HINTS = {
    401: "set a valid key with `discue auth login`, --api-key or DISCUE_API_KEY",
    403: (
        "the key lacks the scope for this, or is disabled: `discue api-keys get ID` shows its scopes and status, "
        "`discue auth status` which key is in use and where it comes from"
    ),
    429: "the API is rate limiting this key; wait, or raise --retries",
}

# The API locks a client out after repeated invalid keys (403), valid ones included, for a while.
LOCKED_OUT = re.compile(r"too many (invalid|failed|unauthori[sz]ed)|locked out", re.IGNORECASE)
LOCKED_OUT_HINT = (
    "repeated invalid keys locked this address out: wait, then use a valid key "
    "(a local `discue emulator serve --no-lockout` never locks out)"
)

LISTINGS = {"queues", "listeners", "messages", "api_keys", "api_clients", "domains", "events", "stats"}  # no id
Exchange = Callable[[str, str, str, float], None]


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    import email.utils
    from datetime import UTC

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
    import random

    if retry_after is not None:
        return min(MAX_WAIT, retry_after)
    ceiling = min(MAX_WAIT, base * (2**attempt))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def tls_failure(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error under a transport failure, if that is what it was."""
    import ssl

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


NEVER_WRITTEN = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ProxyError,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)


def may_retry_failure(method: str, exc: httpx.TransportError, wrote: bool) -> bool:
    """Whether a request that failed in transport is safe to send again: one that never left (no
    connection, or a failure before its head was written) always is; one that may have reached the
    server only when sending it twice does no harm (not a POST)."""
    if tls_failure(exc) is not None or isinstance(exc, (httpx.ProxyError, httpx.UnsupportedProtocol)):
        return False  # a handshake or a tunnel that failed once (wrong port, bad certificate) fails again
    if not wrote:
        return True
    if method not in IDEMPOTENT:
        return False
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


def describe_failure(
    exc: Exception, origin: str, timeout: float, via: str | None = None, wrote: bool = True
) -> NoResponseError:
    """A one-line error for a request that got no usable response; `via` names the proxy in the way.

    An OutcomeUnknownError where the request may have reached the server (`wrote`: its head began
    to leave), a plain NoResponseError where it surely did not."""
    error = failure_line(exc, origin, timeout, via)
    if not wrote or isinstance(exc, NEVER_WRITTEN):
        return error
    return OutcomeUnknownError(error.title, hint=error.hint)


def failure_line(exc: Exception, origin: str, timeout: float, via: str | None) -> NoResponseError:
    path = f"{origin} through {via}" if via else origin
    tls = tls_failure(exc)
    if tls is not None:
        reason = getattr(tls, "verify_message", None) or str(tls)
        reason = reason.split("] ", 1)[-1].split(" (_ssl.c", 1)[0]
        return NoResponseError(
            f"TLS handshake with {path} failed ({reason})",
            hint="check that the endpoint speaks https on that port (http:// for a plain-HTTP one)",
        )
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return NoResponseError(
            f"no response from {path} within {timeout:g}s (timeout)",
            hint="raise --timeout, or check that the endpoint is up",
        )
    if isinstance(exc, httpx.ConnectError):
        # Through a proxy, the only connection discue opens is the one to the proxy.
        reason = root_cause(exc)
        if via:
            return NoResponseError(
                f"could not connect to {via}: {reason}",
                hint="check the proxy, or list the endpoint's host in NO_PROXY to reach it directly",
            )
        return NoResponseError(
            f"could not connect to {origin}: {reason}",
            hint="check --api-endpoint / DISCUE_API_ENDPOINT and your network",
        )
    if isinstance(exc, httpx.ProxyError) and via:
        # The proxy answered a CONNECT for an https endpoint with an error status ("403 Forbidden").
        return NoResponseError(f"{via} would not connect to {origin}: {str(exc)[:200]}")
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return NoResponseError(f"the connection to {path} was dropped before a complete reply")
    return NoResponseError(f"no usable response from {path}: {type(exc).__name__}")


def error_from_response(status: int, content: bytes) -> DiscueError:
    """The exception for an error reply, using the API's `detail` (the reason) when it sent one, else
    its `title`, else the status's reason phrase."""
    title = None
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        body = None
    if isinstance(body, dict):
        for member in ("detail", "title"):
            if isinstance(body.get(member), str) and body[member].strip():
                title = body[member].strip().splitlines()[0][:200]
                break
    if title is None:
        from http import HTTPStatus

        try:
            title = HTTPStatus(status).phrase
        except ValueError:
            title = "HTTP error"
    hint = HINTS.get(status)
    if status == 403 and LOCKED_OUT.search(title):
        hint = LOCKED_OUT_HINT  # not the key's scopes: every key from this address is refused for a while
    return for_status(status)(title, status=status, hint=hint)


class ReplyTooLarge(ApiError):
    def __init__(self, status: int, limit: int = MAX_REPLY):
        super().__init__(
            f"unexpected reply: a body over {limit // 2**20} MiB (decompressed); not read",
            status=status,
        )


class BodyReader:
    """A reply's body as it arrives, decompressed here (never more than `limit` bytes in memory)."""

    def __init__(self, response: httpx.Response, limit: int = MAX_REPLY):
        self.response = response
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise ReplyTooLarge(response.status_code, limit)
        self.encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if self.encoding in ("gzip", "x-gzip", "deflate"):
            import zlib

            self.decoder: Any = zlib.decompressobj(zlib.MAX_WBITS | 32)  # a gzip or zlib header, detected
        elif self.encoding in ("", "identity"):
            self.decoder = None
        else:
            raise ApiError(f"unexpected reply: content encoding '{self.encoding}'", status=response.status_code)

    def feed(self, chunk: bytes) -> None:
        if self.decoder is None:
            self.keep(chunk)
            return
        import zlib

        try:
            # max_length bounds each step's output: a small chunk may inflate a thousandfold
            self.keep(self.decoder.decompress(chunk, self.limit + 1 - self.size))
            while self.decoder.unconsumed_tail:
                self.keep(self.decoder.decompress(self.decoder.unconsumed_tail, self.limit + 1 - self.size))
        except zlib.error:
            raise ApiError(
                f"unexpected reply: a body that is not valid {self.encoding}", status=self.response.status_code
            ) from None

    def keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise ReplyTooLarge(self.response.status_code, self.limit)
        self.parts.append(data)

    def body(self) -> bytes:
        return b"".join(self.parts)


def read_whole(response: httpx.Response, limit: int) -> bytes | None:
    """The body of a reply built whole in memory (a test transport), read and decoded already; else None."""
    if not response.is_stream_consumed:
        return None
    if len(response.content) > limit:
        raise ReplyTooLarge(response.status_code, limit)
    return response.content


async def read_body(response: httpx.Response, limit: int = MAX_REPLY) -> bytes:
    """The reply's body from an AsyncClient, within `limit` (see BodyReader)."""
    whole = read_whole(response, limit)
    if whole is not None:
        return whole
    reader = BodyReader(response, limit)
    async for chunk in response.aiter_raw():
        reader.feed(chunk)
    return reader.body()


def parse_body(status: int, content: bytes) -> dict[str, Any]:
    """The JSON object of a success reply; {} for an empty one."""
    if not content:
        return {}
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApiError(f"unexpected reply: HTTP {status} with a body that is not JSON", status=status) from None
    if not isinstance(body, dict):
        raise ApiError("unexpected reply: the JSON body is not an object", status=status)
    return body


class Progress:
    """Whether a call's request began to leave (httpcore's documented `trace` extension says): a
    failure before that cannot have reached the server, one after may have. `wrote` is the current
    attempt's, `ever` any attempt's of the call."""

    __slots__ = ("wrote", "ever")

    def __init__(self) -> None:
        self.wrote = False
        self.ever = False

    async def trace(self, event: str, info: Any) -> None:
        if self.wrote or not event.endswith("send_request_headers.started"):
            return
        request = info.get("request") if isinstance(info, dict) else None
        if request is not None and getattr(request, "method", None) == b"CONNECT":
            return  # the proxy's tunnel being opened: nothing of the request has left yet
        self.wrote = self.ever = True


class Client:
    """One API endpoint, one key, one httpx.AsyncClient (its pooled connections)."""

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
        sleep: Callable[[float], Awaitable[Any]] | None = None,
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
        self.reply_limit = MAX_REPLY
        self.progress = Progress()
        # A batch's pace and its view of each reply (api/limiter.py): `gate` is awaited before every
        # attempt and returns the seconds it held it (they do not count against --timeout);
        # `on_reply(status, headers, seconds)` hears every attempt's reply, retried ones included.
        self.gate: Callable[[], Awaitable[float]] | None = None
        self.on_reply: Callable[[int, httpx.Headers, float], None] | None = None
        self.generation: Any = None  # the API generation in use (api.generations.Tracker), set by Context.client
        parts = urlsplit(self.base_url)
        self.origin = redact_url(f"{parts.scheme}://{parts.netloc}")  # only ever shown
        headers = {
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
            "User-Agent": f"discue-cli/{__version__}",
        }
        if api_key:
            headers["X-API-KEY"] = api_key
        self._transport = transport  # a test's or the local discue's: no sockets, no proxy
        # The local discue in process never waits on a socket: its calls give the loop no turn.
        self.in_process = isinstance(transport, httpx.ASGITransport)
        found = proxy.for_endpoint(self.base_url) if transport is None else None
        self.via = found.shown if found else None  # named in error lines
        # Building the TLS context costs ~35 ms; a plain-http endpoint never uses it. An https one
        # (or an https proxy) builds it once, shared by every sender's connection.
        verify: Any = parts.scheme == "https" or bool(found and found.url.startswith("https:"))
        if verify and transport is None:
            verify = httpx.create_ssl_context()  # reads SSL_CERT_FILE / SSL_CERT_DIR, as httpx's default does
        self._parsed: dict[str, httpx.URL] = {}
        # trust_env=False: the proxy is decided above, once; nothing else in the environment applies.
        self._options: dict[str, Any] = dict(
            headers=headers, timeout=timeout, verify=verify, trust_env=False, proxy=found.url if found else None
        )
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self._http = httpx.AsyncClient(**self._options, transport=transport, limits=limits)

    def sender(self) -> Client:
        """This client on a connection of its own, for one of a batch's senders (see api/batch.py);
        itself where there are no sockets (a test transport, the local discue). Closing a sender's
        client closes its connection only."""
        if self._transport is not None:
            return self
        import copy

        twin = copy.copy(self)
        twin.closers = []
        # A batch's reply is one message's: 256 senders with 64 MiB each could hold 16 GiB of a server
        # that sends endless bodies; at SENDER_REPLY they hold 1 GiB at most.
        twin.reply_limit = SENDER_REPLY
        from discue_cli.api.transport import SenderTransport

        # Its own transport: httpx's pool and connection, which also refuses a stale reply (api/transport.py).
        transport = SenderTransport(self._options["verify"], self._options["proxy"])
        twin._http = httpx.AsyncClient(**{**self._options, "proxy": None}, transport=transport)
        return twin

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

    def stream(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """A GET read as it arrives (httpx's `stream()`), with this client's headers, proxies and
        timeouts; asynchronous clients only. Statuses, retries and the key check are the caller's."""
        return self._http.stream("GET", self.parsed(self.url(path)), params=params)

    def parsed(self, url: str) -> httpx.URL:
        """httpx's URL for `url`, parsed once: a batch posts to one URL thousands of times."""
        found = self._parsed.get(url)
        if found is None:
            if len(self._parsed) >= 256:
                self._parsed.clear()
            found = self._parsed[url] = httpx.URL(url)
        return found

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
        # --timeout bounds the whole call, retries and their waits included: a server that trickles
        # its reply a byte at a time, or keeps failing, costs at most this long.
        deadline = time.monotonic() + self.timeout
        attempt = 0
        # The call in progress: a batch stopped mid-call asks it whether the request may have left.
        self.progress = progress = Progress()
        while True:
            if self.gate is not None:
                deadline += await self.gate()
            started = time.perf_counter()
            progress.wrote = False
            try:
                status, reply_headers, body = await self._exchange(
                    method, url, query, content, headers, deadline, progress
                )
            except (httpx.TransportError, TimeoutError) as exc:
                self._log(method, url, query, type(exc).__name__, started)
                # Without sockets (a test's transport, the local discue) nothing traces: only a failed
                # connect is known to have sent nothing.
                wrote = progress.wrote if self._transport is None else not isinstance(exc, NEVER_WRITTEN)
                failure = describe_failure(exc, self.origin, self.timeout, self.via, wrote)
                if (
                    isinstance(exc, httpx.TransportError)
                    and attempt < self.retries
                    and may_retry_failure(method, exc, wrote)
                ):
                    await self._wait(backoff(attempt, self.backoff_base), deadline, failure)
                    attempt += 1
                    continue
                raise failure from None
            self._log(method, url, query, str(status), started)
            if self.on_reply is not None:
                self.on_reply(status, reply_headers, time.perf_counter() - started)
            if status in retry_statuses and attempt < self.retries:
                wait = backoff(attempt, self.backoff_base, retry_after_seconds(reply_headers.get("Retry-After")))
                await self._wait(wait, deadline, error_from_response(status, body))
                attempt += 1
                continue
            if status >= 400:
                raise self.hinted(error_from_response(status, body), method, path)
            if status >= 300:
                # Not followed: a redirect would resend the key to wherever it points.
                target = redact_url(reply_headers.get("Location", "elsewhere"))
                if "?" in target or "#" in target:  # a query may carry a token: only its place is shown
                    target = target.split("#", 1)[0].split("?", 1)[0] + "?…"
                raise ApiError(
                    f"the endpoint redirected to {target}",
                    status=status,
                    hint="point --api-endpoint / DISCUE_API_ENDPOINT at the final URL",
                )
            return parse_body(status, body)

    def hinted(self, error: DiscueError, method: str, path: str) -> DiscueError:
        """A 404 on a listing, or a 400/404 under a pinned generation: say what more likely went wrong."""
        hints = []
        if error.status == 404 and method == "GET" and all(p in LISTINGS for p in path.strip("/").split("/")):
            shown = redact_url(self.url(path))
            hints.append(
                f"nothing lists at {shown}: is the endpoint right (--api-endpoint, DISCUE_API_ENDPOINT, "
                "`discue auth status`)?"
            )
        pinned = self.generation is not None and self.generation.endpoint and self.generation.how.startswith("pinned")
        # A 400 that asks for the field the other generations name it by (`name` where 2024-08 sends `alias`)
        other_word = "name" if pinned and self.generation.setting == "2024-08" else "alias"
        mismatch = error.status == 400 and method != "GET" and re.search(rf"\b{other_word}\b", error.title)
        if pinned and (hints or mismatch):
            how = self.generation.how.removeprefix("pinned ")
            hints.append(
                f"the API generation is pinned to {self.generation.setting} ({how}): "
                "this server may speak another; try auto"
            )
        unknown = self.generation is not None and self.generation.setting == "auto" and not self.generation.known
        if unknown and error.status == 400 and method != "GET" and re.search(r"\balias\b", error.title):
            # `auto` wrote `name` to an endpoint it knew nothing of (an empty 2024-08 server looks like
            # 2023-04); the server just said which field it wants: learn it, the next run writes alias.
            self.generation.learn("2024-08", "learned from a 400 that asked for alias")
            hints.append("this endpoint speaks the 2024-08 API generation (alias): run the command again")
        if hints:
            error.hint = " Or: ".join(hints)
        return error

    async def _exchange(
        self,
        method: str,
        url: str,
        query: dict[str, Any],
        content: bytes | None,
        headers: dict[str, str],
        deadline: float,
        progress: Progress,
    ) -> tuple[int, httpx.Headers, bytes]:
        """One request and its whole reply body (read within `reply_limit`), by the deadline: the
        deadline cancels whatever wait it falls in, so a server trickling bytes cannot outlast it."""
        import asyncio

        if self.in_process:
            await asyncio.sleep(0)  # a turn for the loop, so a signal's cancel lands between two calls
        async with asyncio.timeout(deadline - time.monotonic()):
            request = self._http.build_request(
                method,
                self.parsed(url),
                params=query or None,
                content=content,
                headers=headers,
                extensions={"trace": progress.trace},
            )
            response = await self._http.send(request, stream=True)
            try:
                return response.status_code, response.headers, await read_body(response, self.reply_limit)
            finally:
                await response.aclose()

    async def _wait(self, seconds: float, deadline: float, failure: DiscueError) -> None:
        """Sleep before a retry, unless the retry could not even start before the deadline."""
        if time.monotonic() + seconds >= deadline:
            raise failure
        if self.sleep is not None:
            await self.sleep(seconds)
        else:
            import asyncio

            await asyncio.sleep(seconds)

    def _log(self, method: str, url: str, query: dict[str, Any], outcome: str, started: float) -> None:
        if self.on_exchange is None:
            return
        shown = redact_url(url) + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
        self.on_exchange(method, shown, outcome, (time.perf_counter() - started) * 1000)
