"""The receiver of `discue listen`: a Starlette app under uvicorn on a socket we bound, and the forwarder.

It knows HTTP only: what a delivery does (print, forward) is the caller's `on_delivery`.
"""

from __future__ import annotations

import asyncio
import contextlib
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


def create_app(on_delivery: OnDelivery) -> Starlette:
    """POST on any path is a delivery, GET or HEAD on any path a liveness probe: a tunnel or proxy
    in front (`--public-url`) may keep or rewrite the path, and either way the probe must succeed."""

    async def receive(request: Request) -> Response:
        if request.method == "POST":
            answer = await on_delivery(await request.body(), [(k, v) for k, v in request.headers.items()])
            return Response(answer.content, status_code=answer.status, media_type=answer.content_type)
        return Response(b'{"status":"ok"}', media_type="application/json")

    return Starlette(routes=[Route("/{path:path}", receive, methods=["GET", "HEAD", "POST"])])


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
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=3)
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
    """POSTs each delivery to the app; the app's status is the answer, 502/504 when it gave none."""

    def __init__(self, url: str, timeout: float):
        self.url = url
        # trust_env off: a proxy from the environment must not stand between us and the app on this machine.
        self.http = httpx.AsyncClient(timeout=timeout, trust_env=False, follow_redirects=False)

    async def forward(self, body: bytes, headers: list[tuple[str, str]]) -> tuple[Answer, str | None]:
        """The answer for the server, and why there is no answer from the app (None when it answered)."""
        passed = [(k, v) for k, v in headers if k.lower() not in HOP_HEADERS]
        try:
            response = await self.http.post(self.url, content=body, headers=passed)
        except httpx.TimeoutException:
            return Answer(504), f"no answer within {self.http.timeout.read:g}s"
        except httpx.HTTPError as exc:
            return Answer(502), root_cause(exc)
        return Answer(response.status_code, response.content, response.headers.get("content-type")), None

    async def aclose(self) -> None:
        await self.http.aclose()
