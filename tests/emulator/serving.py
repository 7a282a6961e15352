"""Serve a local discue app of a given generation: in process over httpx.ASGITransport (preferred), or
over a real socket with uvicorn in a thread where a test needs one."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from discue_cli.emulator.app import create_app
from discue_cli.emulator.server import uvicorn_config

ROOT_KEY = "root-key-0123456789abcdef"


def asgi_client(app, key: str | None = ROOT_KEY) -> httpx.Client:
    """A sync client over the ASGI app in process (httpx runs the app on its own event loop per call)."""
    client = httpx.Client(
        transport=_SyncASGI(app), base_url="http://local/v1", headers={"X-API-KEY": key} if key else {}
    )
    client.app = app  # tests reach the store through it
    return client


class _SyncASGI(httpx.BaseTransport):
    """httpx.ASGITransport is async only; this drives it from sync tests."""

    def __init__(self, app):
        import asyncio

        self.loop = asyncio.new_event_loop()
        self.inner = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            request.stream = httpx.ByteStream(request.read())
            response = await self.inner.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return self.loop.run_until_complete(send())

    def close(self) -> None:
        self.loop.close()


@dataclass
class Served:
    endpoint: str
    key: str


@contextmanager
def serve_in_thread(db: Path, generation: str, key: str = ROOT_KEY) -> Iterator[Served]:
    """The app of `generation` on a free loopback port, until the block ends."""
    app = create_app(db, require_key=True, api_key=key, generation=generation)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    server = uvicorn.Server(uvicorn_config(app, lifespan="off"))  # as emulator serve runs it
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:  # polls a flag uvicorn sets once it accepts connections
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the local discue did not start")
        time.sleep(0.005)
    try:
        yield Served(f"http://127.0.0.1:{sock.getsockname()[1]}/v1", key)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        app.state.store.close()
