"""The receiver of `discue listen`: a Starlette app under uvicorn on a socket we bound, and the forwarder.

It knows HTTP only: what a delivery does (print, forward) is the caller's `on_delivery`.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from discue_cli.api.client import root_cause

# Not passed on to the app: they describe one hop, or httpx sets them itself.
HOP_HEADERS = {
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "accept-encoding",
}


@dataclass
class Answer:
    """What the receiver answers the server for one delivery."""

    status: int
    content: bytes = b""
    content_type: str | None = None


OnDelivery = Callable[[bytes, list[tuple[str, str]]], Awaitable[Answer]]

# A delivery is one message in an envelope; the local discue takes request bodies up to 1 MiB
# (emulator/web.py MAX_BODY), and the envelope (ids, attempt) adds little: anything past this
# is not a delivery, and is refused before it is held.
BODY_CAP = 1024 * 1024 + 16 * 1024


def new_secret() -> str:
    """The unguessable path segment of this run's notify and liveness URLs."""
    return secrets.token_urlsafe(24)


class TooLarge(Exception):
    pass


async def read_capped(request: Request, cap: int) -> bytes:
    """The request body, or TooLarge past `cap` bytes (by Content-Length first, then as it arrives)."""
    declared = request.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > cap:
        raise TooLarge()
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise TooLarge()
        parts.append(chunk)
    return b"".join(parts)


def create_app(on_delivery: OnDelivery, secret: str, cap: int = BODY_CAP) -> Starlette:
    """POST on `.../SECRET/notify` is a delivery, GET or HEAD on `.../SECRET/live` a liveness probe;
    any other request gets 404 and never reaches `on_delivery` (a local process cannot forge a
    delivery without the secret). The paths are matched by their end: a tunnel or proxy in front
    (`--public-url`) may keep or strip a prefix."""
    notify, live = f"/{secret}/notify", f"/{secret}/live"

    async def receive(request: Request) -> Response:
        path = request.url.path
        if request.method == "POST" and path.endswith(notify):
            try:
                body = await read_capped(request, cap)
            except TooLarge:
                return Response(b"", status_code=413)
            answer = await on_delivery(body, [(k, v) for k, v in request.headers.items()])
            return Response(answer.content, status_code=answer.status, media_type=answer.content_type)
        if request.method in ("GET", "HEAD") and path.endswith(live):
            return Response(b'{"status":"ok"}', media_type="application/json")
        return Response(b"", status_code=404)

    return Starlette(routes=[Route("/{path:path}", receive, methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"])])


def url_host(host: str) -> str:
    """The host as the server should dial it: a wildcard address means this machine's loopback."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


class Server(uvicorn.Server):
    """uvicorn on our socket, with our signal handling: SIGINT/SIGTERM must remove the listener
    before the receiver stops, so they are the command's to handle, not uvicorn's."""

    def __init__(self, app: Starlette, sock: socket.socket):
        # A handler still running at a stop is the forwarder's, cancelled by then: a second is plenty.
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=1)
        super().__init__(config)
        self.sock = sock
        self.task: asyncio.Task | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def start(self) -> None:
        """Serving once this returns (the socket was listening already, so nothing sent before was lost)."""
        self.task = asyncio.create_task(self.serve(sockets=[self.sock]))
        while not self.started:
            if self.task.done():
                await self.task
                raise RuntimeError("the receiver stopped while starting")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self.task is None:
            return
        self.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


class Forwarder:
    """POSTs each delivery to the app; the app's status is the answer, 502/504 when it gave none.

    `timeout` bounds each forward as a whole (connect, send, the app's reply): it must end before the
    server's own delivery timeout, or the server gives up and retries while we still wait."""

    REPLY_CAP = BODY_CAP  # what the app answers is passed back to the server, never held unbounded

    def __init__(self, url: str, timeout: float):
        self.url = url
        self.timeout = timeout
        self.closing = False
        self.in_flight: set[asyncio.Task] = set()
        # trust_env off: a proxy from the environment must not stand between us and the app on this machine.
        self.http = httpx.AsyncClient(timeout=timeout, trust_env=False, follow_redirects=False)

    async def forward(self, body: bytes, headers: list[tuple[str, str]]) -> tuple[Answer, str | None]:
        """The answer for the server, and why there is no answer from the app (None when it answered).
        Once `cancel_all` ran (a stop), a forward ends at once with 503: not acknowledged."""
        if self.closing:
            return Answer(503), "stopping"
        task = asyncio.ensure_future(self._post(body, headers))
        self.in_flight.add(task)
        try:
            return await task  # cancelled by cancel_all, the task itself answers 503
        finally:
            self.in_flight.discard(task)

    async def _post(self, body: bytes, headers: list[tuple[str, str]]) -> tuple[Answer, str | None]:
        passed = [(k, v) for k, v in headers if k.lower() not in HOP_HEADERS]
        try:
            async with asyncio.timeout(self.timeout):
                async with self.http.stream("POST", self.url, content=body, headers=passed) as response:
                    content = b""
                    async for chunk in response.aiter_bytes():
                        content += chunk
                        if len(content) > self.REPLY_CAP:
                            return Answer(502), f"a reply over {self.REPLY_CAP} bytes"
        except (httpx.TimeoutException, TimeoutError):
            return Answer(504), f"no answer within {self.timeout:g}s"
        except asyncio.CancelledError:
            if self.closing:
                return Answer(503), "stopping"
            raise
        except httpx.HTTPError as exc:
            return Answer(502), root_cause(exc)
        return Answer(response.status_code, content, response.headers.get("content-type")), None

    def cancel_all(self) -> None:
        """A stop: every forward in flight ends now (answered 503, so the server keeps the message)."""
        self.closing = True
        for task in list(self.in_flight):
            task.cancel()

    async def aclose(self) -> None:
        self.cancel_all()
        await self.http.aclose()
